import { useId, useState, type ChangeEvent } from 'react';

/** The sign-in form, shown when the gateway answers UNAUTHENTICATED. */
export function SignIn({ onToken, error }: { onToken: (token: string) => void; error: string | null }) {
  const [token, setToken] = useState('');
  const id = useId();
  return (
    <section className="panel signin" aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      <p>This gateway needs a token. It is kept in this tab only (sessionStorage) and sent as <code>Authorization: Bearer</code>.</p>
      <form
        onSubmit={(e: { preventDefault(): void }) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <label htmlFor={id}>Bearer token</label>
        <input id={id} type="password" autoComplete="off" value={token} onChange={(e: ChangeEvent<HTMLInputElement>) => setToken((e.target as HTMLInputElement).value)} required />
        <button type="submit">Sign in</button>
      </form>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
    </section>
  );
}

/**
 * Minimal typings of the parts of React 18 and react-dom/client the dashboard uses. The project has no
 * @types/react (React 18 ships none): these stand in until `@types/react@18` and `@types/react-dom@18` are
 * added to devDependencies, at which point this file is deleted. Element attributes are loosely typed here;
 * components' own props, state and the GraphQL data are fully typed.
 */
declare module 'react' {
  export type ReactNode = ReactElement | string | number | boolean | null | undefined | Iterable<ReactNode>;
  export interface ReactElement {
    type: unknown;
    props: unknown;
    key: string | null;
  }
  export type FC<P = Record<string, never>> = (props: P) => ReactNode;
  export type Dispatch<A> = (value: A) => void;
  export type SetStateAction<S> = S | ((prev: S) => S);
  export interface MutableRefObject<T> {
    current: T;
  }
  export interface SyntheticEvent<T = Element> {
    currentTarget: T;
    target: EventTarget;
    preventDefault(): void;
    stopPropagation(): void;
  }
  export type FormEvent<T = Element> = SyntheticEvent<T>;
  export type ChangeEvent<T = Element> = SyntheticEvent<T> & { target: T };
  export type KeyboardEvent<T = Element> = SyntheticEvent<T> & { key: string };

  export function useState<S>(initial: S | (() => S)): [S, Dispatch<SetStateAction<S>>];
  export function useEffect(effect: () => void | (() => void), deps?: readonly unknown[]): void;
  export function useLayoutEffect(effect: () => void | (() => void), deps?: readonly unknown[]): void;
  export function useMemo<T>(factory: () => T, deps: readonly unknown[]): T;
  export function useCallback<T extends (...args: never[]) => unknown>(fn: T, deps: readonly unknown[]): T;
  export function useRef<T>(initial: T): MutableRefObject<T>;
  export function useId(): string;
  export function useSyncExternalStore<T>(subscribe: (onChange: () => void) => () => void, getSnapshot: () => T): T;
  export function memo<P>(component: (props: P) => ReactElement | null, equal?: (a: P, b: P) => boolean): (props: P) => ReactElement | null;
  export const StrictMode: (props: { children?: ReactNode }) => ReactElement | null;
  export const Fragment: (props: { children?: ReactNode }) => ReactElement | null;
}

declare module 'react/jsx-runtime' {
  import type { ReactElement, ReactNode } from 'react';
  export namespace JSX {
    type Element = ReactElement;
    interface ElementChildrenAttribute {
      children: unknown;
    }
    interface IntrinsicAttributes {
      key?: string | number | null;
    }
    interface IntrinsicElements {
      [element: string]: { children?: ReactNode; [attribute: string]: unknown };
    }
  }
  export function jsx(type: unknown, props: unknown, key?: unknown): ReactElement;
  export function jsxs(type: unknown, props: unknown, key?: unknown): ReactElement;
  export const Fragment: unknown;
}

declare module 'react-dom/client' {
  import type { ReactNode } from 'react';
  export interface Root {
    render(node: ReactNode): void;
    unmount(): void;
  }
  export function createRoot(container: Element): Root;
}

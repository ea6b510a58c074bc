/**
 * Request authentication as kube-apiserver with a static token file, service account tokens and
 * anonymous auth on: no token is `system:anonymous` in `system:unauthenticated` (authorization then
 * decides), a token of the file or a valid service account JWT is that user, anything else is 401.
 * TokenReview asks the same question for a token in a body, with the error texts the recordings show.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import { ServiceAccountTokenIssuer } from './ServiceAccountTokenIssuer.js';
import type { StaticUsers } from './StaticUsers.js';
import { ANONYMOUS_USER, UNAUTHENTICATED_GROUP } from './wellKnownNames.js';
import type { UserInfo } from '../auth/types.js';

export type Authentication =
  | { kind: 'user'; user: UserInfo; admin: boolean }
  | { kind: 'anonymous'; user: UserInfo }
  | { kind: 'invalid' };

/** `status` of a TokenReview, as kube-apiserver fills it. */
export type TokenReviewStatus =
  | { authenticated: true; user: UserInfo; audiences: string[] }
  | { user: Record<string, never>; error: string };

const INVALID = 'invalid bearer token';

export const ANONYMOUS: UserInfo = Object.freeze({ name: ANONYMOUS_USER, groups: [UNAUTHENTICATED_GROUP] }) as UserInfo;

function quoteList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

export class Authenticator {
  private readonly issuers = new WeakMap<SimCluster, ServiceAccountTokenIssuer>();

  constructor(readonly users: StaticUsers) {}

  /** The service account token signer of one cluster (the control plane or a member). */
  issuerOf(cluster: SimCluster): ServiceAccountTokenIssuer {
    let issuer = this.issuers.get(cluster);
    if (!issuer) {
      issuer = new ServiceAccountTokenIssuer((namespace, name) => {
        const sa = cluster.objects.get('serviceaccounts', namespace, name);
        return sa ? { uid: sa.metadata.uid!, deleting: !!sa.metadata.deletionTimestamp } : undefined;
      });
      this.issuers.set(cluster, issuer);
    }
    return issuer;
  }

  /**
   * Authenticates an `Authorization` header against `cluster` (the control plane for every HTTP request:
   * the member behind the cluster proxy only ever sees the identity Karmada passes on).
   */
  authenticate(authorization: string | undefined, cluster: SimCluster): Authentication {
    if (!authorization) return { kind: 'anonymous', user: ANONYMOUS };
    const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (!m) return { kind: 'invalid' };
    const token = m[1]!.trim();
    const found = this.users.lookup(token);
    if (found) return { kind: 'user', user: found.user, admin: found.admin };
    const sa = this.issuerOf(cluster).validate(token);
    return sa.ok ? { kind: 'user', user: sa.user, admin: false } : { kind: 'invalid' };
  }

  /** What a TokenReview on `cluster` answers for `token` and the requested audiences. */
  review(token: string, requested: string[] | undefined, cluster: SimCluster): TokenReviewStatus {
    const issuer = this.issuerOf(cluster);
    const audiences = requested && requested.length > 0 ? requested : issuer.apiAudiences;
    const found = this.users.lookup(token);
    if (found) {
      // Static tokens are audience-agnostic: valid for the API server's own audiences only.
      const shared = issuer.apiAudiences.filter((a) => audiences.includes(a));
      if (shared.length === 0) {
        return { user: {}, error: `[${INVALID}, token audiences ${quoteList(issuer.apiAudiences)} is invalid for the target audiences ${quoteList(audiences)}]` };
      }
      return { authenticated: true, user: found.user, audiences: shared };
    }
    const sa = issuer.validate(token, audiences);
    if (sa.ok) return { authenticated: true, user: sa.user, audiences: sa.audiences };
    return { user: {}, error: sa.error ? `[${INVALID}, ${sa.error}]` : INVALID };
  }
}

/**
 * Request accounting for tests and benchmarks of the gateway: how many requests each simulated
 * cluster answered, per method, verb, resource and path; plus the identities Karmada's proxy passed
 * through (Impersonate-User / Impersonate-Group), per request, in a bounded log.
 */
export type StatsVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'discovery' | 'other';

export interface RequestCount {
  cluster: string;
  method: string;
  verb: StatsVerb;
  /** Resource key (`pods`, `apps/deployments`), with `/<subresource>` when one was addressed; '' for discovery. */
  resource: string;
  path: string;
  count: number;
}

export interface RecordedRequest {
  cluster: string;
  method: string;
  verb: StatsVerb;
  resource: string;
  path: string;
  /** The authenticated caller ('' for a bad token). */
  user: string;
  /**
   * Member requests: the `Impersonate-User` Karmada's proxy sends (the caller, or whom it impersonates);
   * control-plane requests: the user the caller impersonated, if it did.
   */
  impersonateUser?: string;
  /** The `Impersonate-Group` values sent with it (without `system:authenticated`). */
  impersonateGroups?: string[];
}

export interface RequestStatsOptions {
  /**
   * How many recent requests the log keeps.
   * @default 2000
   */
  logSize?: number;
}

export class RequestStats {
  private readonly counts = new Map<string, RequestCount>();
  private log: RecordedRequest[] = [];
  private readonly logSize: number;

  constructor(options: RequestStatsOptions = {}) {
    this.logSize = options.logSize ?? 2000;
  }

  record(r: RecordedRequest): void {
    const key = `${r.cluster}\u0000${r.method}\u0000${r.verb}\u0000${r.resource}\u0000${r.path}`;
    const c = this.counts.get(key);
    if (c) c.count++;
    else this.counts.set(key, { cluster: r.cluster, method: r.method, verb: r.verb, resource: r.resource, path: r.path, count: 1 });
    this.log.push(r);
    if (this.log.length > this.logSize * 2) this.log = this.log.slice(-this.logSize);
  }

  snapshot(): { requests: RequestCount[]; total: number } {
    const requests = [...this.counts.values()].map((c) => ({ ...c }));
    return { requests, total: requests.reduce((n, c) => n + c.count, 0) };
  }

  recent(): RecordedRequest[] {
    return this.log.slice(-this.logSize);
  }

  reset(): void {
    this.counts.clear();
    this.log = [];
  }
}

/**
 * The Operations lock of a SQLite audit file: a lock file (`<audit file>.lock`) holding `{pid, hostname,
 * startedAt, fleetId}` of the process that runs Operations on that file.
 *
 * Why a file and not SQLite's own locking: the lock must be held for the life of the process, while the
 * database is written by short transactions; a lock file also says who holds it, which the refusal to start
 * names. A lock whose process is gone (same host, pid not alive) is stale and taken over: a SIGKILLed gateway
 * must not keep its successor from starting. A lock from another host cannot be checked and is respected.
 *
 * Why link(): the lock file is written in full under a private name, then linked to the lock name, which fails
 * if the name exists. So the lock name never holds a half-written file, and of two processes racing only one
 * link succeeds.
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { OperationsLock } from './AuditStore.js';

/** What the lock file holds. */
export interface LockFileContent {
  pid: number;
  hostname: string;
  startedAt: string;
  fleetId: string;
}

/** Takes the lock at `lockPath` for this process, or says who holds it. Synchronous: a few file calls. */
export function acquireFileLock(lockPath: string, fleetId: string): OperationsLock {
  const mine: LockFileContent = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), fleetId };
  // Two tries: the second after a stale lock was moved away.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryLink(lockPath, mine)) return heldLock(lockPath, mine);
    const current = readLock(lockPath);
    if (current === 'absent') continue;
    if (current !== 'unreadable' && !isStale(current)) {
      return { acquired: false, holder: describeHolder(current), release: async () => undefined };
    }
    removeStale(lockPath, current);
  }
  const current = readLock(lockPath);
  return { acquired: false, holder: typeof current === 'object' ? describeHolder(current) : `${lockPath} (${current})`, release: async () => undefined };
}

/** Who holds a lock, in a log line. */
export function describeHolder(c: LockFileContent): string {
  return `pid ${c.pid} on ${c.hostname} since ${c.startedAt}`;
}

function tryLink(lockPath: string, content: LockFileContent): boolean {
  const temp = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(temp, `${JSON.stringify(content)}\n`, { flag: 'wx', mode: 0o644 });
  try {
    linkSync(temp, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(temp);
  }
}

function readLock(lockPath: string): LockFileContent | 'absent' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    return 'unreadable';
  }
  try {
    const c = JSON.parse(text) as Partial<LockFileContent>;
    if (typeof c.pid === 'number' && typeof c.hostname === 'string') return { pid: c.pid, hostname: c.hostname, startedAt: String(c.startedAt ?? ''), fleetId: String(c.fleetId ?? '') };
  } catch {
    // Not ours (the lock file is never half written): treated as stale below.
  }
  return 'unreadable';
}

/** A lock of a process of this host that is gone. */
function isStale(c: LockFileContent): boolean {
  if (c.hostname !== hostname()) return false;
  try {
    process.kill(c.pid, 0);
    return false;
  } catch (err) {
    // EPERM: the process exists but belongs to another user; only ESRCH says it is gone.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Moves a stale lock away, unless it changed in between: the file is renamed to a private name first (atomic),
 * then checked to be the one found stale; a live lock taken meanwhile by another process is put back.
 */
function removeStale(lockPath: string, seen: LockFileContent | 'unreadable'): void {
  const aside = `${lockPath}.stale.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // Gone already: someone else removed it.
  }
  const moved = readLock(aside);
  const same = seen === 'unreadable' ? moved === 'unreadable' : typeof moved === 'object' && moved.pid === seen.pid && moved.startedAt === seen.startedAt && moved.hostname === seen.hostname;
  if (!same) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // Another lock was taken meanwhile: it is the one that counts.
    }
  }
  unlinkSync(aside);
}

function heldLock(lockPath: string, mine: LockFileContent): OperationsLock {
  let released = false;
  return {
    acquired: true,
    async release() {
      if (released) return;
      released = true;
      // Only our own lock file is removed: one taken over after ours was judged stale belongs to its taker.
      const current = readLock(lockPath);
      if (typeof current === 'object' && current.pid === mine.pid && current.startedAt === mine.startedAt && current.hostname === mine.hostname) {
        try {
          unlinkSync(lockPath);
        } catch {
          // Already gone.
        }
      }
    },
  };
}


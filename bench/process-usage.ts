/**
 * CPU time and resident memory of this Node process and of the browsers it started,
 * read from Linux's /proc: `process.cpuUsage()` only knows Node's own share, and
 * most of a robot's work is done by Chromium's processes (browser, zygote, renderers,
 * GPU and network services). Bench code; Linux only.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (100 on every usual Linux). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const PAGE_BYTES = (() => {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
})();

/** One process's line of /proc/<pid>/stat, the fields this module needs. */
interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in seconds: its own CPU and that of the children it reaped. */
  cpuSeconds: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone since the directory was listed
  }
  // The command name (2nd field) is in parentheses and may hold spaces: split after its last ')'.
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // Counted from field 3 (state) = index 0: ppid 4, utime 14, stime 15, cutime 16, cstime 17, rss 24.
  const at = (field: number) => Number(fields[field - 3]);
  return {
    pid,
    ppid: at(4),
    cpuSeconds: (at(14) + at(15) + at(16) + at(17)) / TICKS_PER_SECOND,
    rssBytes: at(24) * PAGE_BYTES,
  };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Every live process descending from a Chromium that this Node process started. A renderer
 * that ended during a measure is not lost: its CPU time moved to the cutime of its parent,
 * which is in the tree.
 */
function browserTree(): ProcStat[] {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => readStat(Number(name))).filter((s): s is ProcStat => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of all) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const roots = (children.get(process.pid) ?? []).filter((s) => /chrom/i.test(commandLine(s.pid)));
  const tree: ProcStat[] = [];
  for (const pending = [...roots]; pending.length > 0; ) {
    const stat = pending.pop()!;
    tree.push(stat);
    pending.push(...(children.get(stat.pid) ?? []));
  }
  return tree;
}

/** CPU seconds used so far: Node's (user + system), and the browsers' whole process trees. */
export interface CpuReading {
  nodeSeconds: number;
  browserSeconds: number;
}

export function readCpu(): CpuReading {
  const node = process.cpuUsage();
  return {
    nodeSeconds: (node.user + node.system) / 1e6,
    browserSeconds: browserTree().reduce((sum, s) => sum + s.cpuSeconds, 0),
  };
}

/** CPU used between two readings. */
export function cpuSince(start: CpuReading, end: CpuReading = readCpu()): CpuReading {
  return { nodeSeconds: end.nodeSeconds - start.nodeSeconds, browserSeconds: end.browserSeconds - start.browserSeconds };
}

/** A process's proportional set size: its private pages plus its share of those it shares. */
function pssBytes(pid: number): number {
  try {
    const kib = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kib === undefined ? 0 : Number(kib) * 1024;
  } catch {
    return 0;
  }
}

/** Resident memory now, in bytes. */
export interface RssReading {
  nodeBytes: number;
  /** The sum of the RSS of the browsers' processes: pages they share (the binary, fonts) counted in each. */
  browserBytes: number;
  /** The sum of their PSS: each shared page counted once in all, the figure that adds up. */
  browserPssBytes: number;
  browserProcesses: number;
}

export function readRss(): RssReading {
  const tree = browserTree();
  return {
    nodeBytes: process.memoryUsage.rss(),
    browserBytes: tree.reduce((sum, s) => sum + s.rssBytes, 0),
    browserPssBytes: tree.reduce((sum, s) => sum + pssBytes(s.pid), 0),
    browserProcesses: tree.length,
  };
}

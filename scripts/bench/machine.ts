/** What `--write` records of the run: the commit, the machine, the tools' versions, the command. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { Machine } from './report.ts';

/** The version a tool prints (`nginx -v` to stderr, `wrk -v` with exit code 1). */
function version(command: string, args: string[], pattern: RegExp): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return 'not installed';
  return pattern.exec(`${result.stdout}${result.stderr}`)?.[1] ?? 'unknown version';
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? process.platform;
  } catch {
    return process.platform;
  }
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: totalmem() / 2 ** 30,
    os: osName(),
    kernel: release(),
    node: process.version,
    tools: {
      nginx: version('nginx', ['-v'], /nginx\/(\S+)/),
      Caddy: version('caddy', ['version'], /^v?(\d\S*)/m),
      HAProxy: version('haproxy', ['-v'], /version (\S+)/),
      wrk: version('wrk', ['-v'], /wrk (?:debian\/)?(\S+)/),
      h2load: version('h2load', ['--version'], /nghttp2\/(\S+)/),
    },
  };
}

export function commit(): { commit: string; dirty: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      dirty: git('status', '--porcelain') !== '',
    };
  } catch {
    return { commit: 'not a git checkout', dirty: false };
  }
}

const quote = (arg: string) =>
  /^[\w./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;

/** The command as typed: `npm run bench -- …` when npm ran it, the node command otherwise. */
export function commandLine(args: readonly string[]): string {
  const rest = args.map(quote).join(' ');
  if (process.env.npm_lifecycle_event === 'bench')
    return `npm run bench${rest ? ` -- ${rest}` : ''}`;
  return `node scripts/bench/run.ts${rest ? ` ${rest}` : ''}`;
}

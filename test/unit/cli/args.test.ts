// The CLI's grammar (issue #17): one declaration gives parsing, "did you mean" and per-command help.
import * as assert from 'node:assert/strict';
import { closest, commandHelp, editDistance, parseCommandLine, UsageError, usageLine, type CommandSpec } from '../../../daemon/cli/args';

const COMMANDS: CommandSpec[] = [
  { name: 'status', summary: 'status', flags: ['workspace', 'json', 'fail-on-drift', 'no-daemon'] },
  { name: 'check-upstream', summary: 'check', flags: ['force', 'json'], args: { name: 'KEY', many: true } },
  { name: 'daemon start', summary: 'start', flags: ['json'] },
  { name: 'daemon stop', summary: 'stop', flags: ['all'] },
];

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv, COMMANDS);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err;
  }
  assert.fail(`${argv.join(' ')} parsed`);
}

describe('CLI arguments (daemon/cli/args.ts)', () => {
  it('edit distance counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('jsno', 'json'), 1);
    assert.equal(editDistance('stauts', 'status'), 1);
    assert.equal(editDistance('force', 'force'), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(closest('jsno', ['json', 'home', 'force']), 'json');
    assert.equal(closest('xyzzy', ['json', 'home']), undefined);
  });

  it('flags before or after the command, --name=value, repeatable flags, and --', () => {
    const p = parseCommandLine(['--home', '/h', 'status', '--workspace=/a', '--workspace', '/b', '--json'], COMMANDS);
    assert.equal(p.command?.name, 'status');
    assert.deepEqual(p.values, { home: '/h', workspace: ['/a', '/b'], json: true });
    const k = parseCommandLine(['check-upstream', 'a::skill', '--', '--odd'], COMMANDS);
    assert.deepEqual(k.args, ['a::skill', '--odd']);
    const two = parseCommandLine(['daemon', 'stop', '--all'], COMMANDS);
    assert.equal(two.command?.name, 'daemon stop');
    assert.equal(two.values.all, true);
  });

  it('an unknown option names the closest one of that command, without Node\'s raw message', () => {
    const e = usageError(['status', '--jsno']);
    assert.equal(e.message, 'unknown option --jsno (did you mean --json?)');
    assert.equal(e.command, 'status');
    assert.equal(usageError(['--jsno']).message, 'unknown option --jsno (did you mean --json?)');
    assert.equal(usageError(['status', '--frobnicate']).message, 'unknown option --frobnicate');
    assert.equal(usageError(['status', '-x']).message, 'unknown option -x');
  });

  it('a flag of another command, a missing value, a value on a switch, arguments where none are taken', () => {
    assert.equal(usageError(['status', '--force']).message, 'status does not take --force (it takes --workspace, --json, --fail-on-drift, --no-daemon)');
    assert.equal(usageError(['status', '--workspace']).message, '--workspace needs a value (DIR)');
    assert.equal(usageError(['status', '--home', '--json']).message, '--home needs a value (DIR)');
    assert.equal(usageError(['status', '--json=yes']).message, '--json takes no value (got --json=yes)');
    assert.equal(usageError(['status', 'extra']).message, 'status takes no arguments (got extra)');
  });

  it('unknown commands and sub-commands suggest the closest', () => {
    assert.equal(usageError(['stauts']).message, 'unknown command "stauts" (did you mean "status"?)');
    assert.equal(usageError(['daemon']).message, 'daemon needs one of: start, stop');
    assert.equal(usageError(['daemon', 'stpo']).message, 'unknown command "daemon stpo" (did you mean "daemon stop"?); daemon takes one of: start, stop');
  });

  it('--help after a command or a command group is not an error', () => {
    assert.equal(parseCommandLine(['status', '--help'], COMMANDS).command?.name, 'status');
    assert.equal(parseCommandLine(['status', 'extra', '-h'], COMMANDS).values.help, true);
    assert.deepEqual(parseCommandLine(['daemon', '--help'], COMMANDS).args, ['daemon']);
    assert.equal(parseCommandLine(['--help'], COMMANDS).command, undefined);
  });

  it('usage and help come from the same declaration', () => {
    assert.equal(usageLine(COMMANDS[0]), 'skillmeat-sync status [--workspace DIR]... [--json] [--fail-on-drift] [--no-daemon]');
    assert.equal(usageLine(COMMANDS[1]), 'skillmeat-sync check-upstream [KEY...] [--force] [--json]');
    const help = commandHelp(COMMANDS[1]);
    assert.match(help, /^Usage: skillmeat-sync check-upstream \[KEY\.\.\.\]/);
    assert.match(help, /\n {2}--force {2,}ask GitHub again/);
    assert.match(help, /\n {2}--home DIR {2,}the SkillMeat home/, 'global flags are listed too');
    assert.doesNotMatch(help, /--workspace/);
  });
});

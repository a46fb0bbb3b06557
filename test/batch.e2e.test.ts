import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../src/batch/csv.ts';
import { ServerProcess, waitFor, type Credentials } from './harness.ts';
import { LossyProxy } from './lossy-proxy.ts';

const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'index.ts');

/** `usms batch` and `usms send` (the customer CLI over the SDK) against the real server. */
describe('usms batch / usms send', () => {
  let server: ServerProcess;
  let creds: Credentials;
  let tpl: string; // "Hi {1}, your code is {2}"
  let dir: string;

  before(async () => {
    server = await ServerProcess.start();
    const a = await server.setupAccount({ sender: 'SCloud', templates: ['Hi {1}, your code is {2}'] });
    creds = a.creds;
    tpl = a.templateIds[0]!;
    dir = mkdtempSync(join(tmpdir(), 'usms-batch-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.equal(await server.stop(), 0);
  });

  /** Starts the CLI; `done` resolves with its exit code and output. */
  function usms(args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, USMS_API_SECRET: creds.PrivateKey }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, done };
  }
  const batchArgs = (file: string, url: string, ...extra: string[]) =>
    ['batch', file, '--url', url, '--key', creds.PublicKey, '--template', tpl, '--sender', 'SCloud', '--json', ...extra];

  async function inbox(): Promise<Array<{ Phone: string; Text: string }>> {
    return (await server.cli('sandbox', 'inbox', '--limit', '1000')).Messages;
  }

  test('a CSV interrupted after its first chunk and resumed: every row once, results per row, nothing sent twice', async () => {
    const file = join(dir, 'campaign.csv');
    writeFileSync(
      file,
      [
        'phone,name,code,userid',
        '13800100001,"Doe, Jane",1001,u1',
        '13800100002,"Say ""hi""",1002,u2',
        '13800100003,Ann,1003,',
        '12345,Bad,1004,u4',
        '13800100005,Eve,1005,u5',
        ',Nobody,1006,u6',
        '13800100007,Tom',
        '',
      ].join('\r\n'),
    );
    const out = join(dir, 'campaign-result.csv');
    // Five sendable rows in chunks of 2: [01, 02], [03, 12345], [05]. The proxy passes chunk 1, lets the
    // server process chunk 2 but withholds its answer; then the CLI is killed.
    const proxy = await LossyProxy.start(server.url, (ex) => (ex.n === 1 ? 'pass' : 'hold'));
    let chunk2Answer: { SessionNo: string; FailContent: unknown[] };
    try {
      const first = usms(batchArgs(file, proxy.url, '--out', out, '--chunk', '2'));
      await proxy.answered(2);
      first.child.kill('SIGKILL');
      const r = await first.done;
      assert.equal(r.signal, 'SIGKILL');
      chunk2Answer = JSON.parse(proxy.exchanges[1]!.response!);
      assert.equal(proxy.exchanges.length, 2);
    } finally {
      await proxy.close();
    }
    assert.equal(existsSync(out), false, 'no result CSV before every chunk is done');
    const state = readFileSync(out + '.state.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(state.map((l) => `${l.type}${l.chunk ?? ''}`), ['run', 'start0', 'done0', 'start1']);
    assert.equal(state[3].key, proxy.exchanges[1]!.headers['idempotency-key']);

    // Resume, straight to the server this time.
    const second = await usms(batchArgs(file, server.url, '--out', out, '--chunk', '2')).done;
    assert.equal(second.code, 0, second.stderr + second.stdout);
    const summary = JSON.parse(second.stdout.trim().split('\n').pop()!);
    assert.deepEqual(
      { Rows: summary.Rows, Accepted: summary.Accepted, Failed: summary.Failed, Chunks: summary.Chunks, ChunksSent: summary.ChunksSent, ChunksAlreadyDone: summary.ChunksAlreadyDone },
      { Rows: 7, Accepted: 4, Failed: 3, Chunks: 3, ChunksSent: 2, ChunksAlreadyDone: 1 },
    );

    const rows = parseCsv(readFileSync(out, 'utf8')).map((r) => r.cells);
    assert.deepEqual(rows[0], ['line', 'phone', 'userid', 'status', 'session_no', 'reason']);
    const byLine = new Map(rows.slice(1).map((r) => [Number(r[0]), r]));
    assert.deepEqual([...byLine.keys()], [2, 3, 4, 5, 6, 7, 8]);
    for (const line of [2, 3, 4, 6]) assert.equal(byLine.get(line)![3], 'accepted', `line ${line}`);
    // Chunk 2 was answered by the server before the kill; the resumed run got that same answer back.
    assert.equal(byLine.get(4)![4], chunk2Answer.SessionNo);
    assert.deepEqual(byLine.get(5)!.slice(1), ['12345', 'u4', 'failed', '', 'phone number is not valid for region CN']);
    assert.deepEqual(byLine.get(7)!.slice(1), ['', 'u6', 'failed', '', 'empty phone']);
    assert.deepEqual(byLine.get(8)!.slice(1), ['13800100007', '', 'failed', '', 'row has 2 fields, the header has 4']);
    assert.equal(byLine.get(2)![4], byLine.get(3)![4], 'one session per chunk');
    assert.notEqual(byLine.get(2)![4], byLine.get(4)![4]);

    const phones = ['+8613800100001', '+8613800100002', '+8613800100003', '+8613800100005'];
    const box = await waitFor('four deliveries', async () => {
      const b = await inbox();
      return phones.every((p) => b.some((m) => m.Phone === p)) ? b : undefined;
    });
    await new Promise((r) => setTimeout(r, 600));
    const final = await inbox();
    for (const p of phones) assert.equal(final.filter((m) => m.Phone === p).length, 1, `${p} got one message`);
    assert.ok(box.some((m) => m.Phone === phones[0] && m.Text === '【SCloud】Hi Doe, Jane, your code is 1001'));
    assert.ok(box.some((m) => m.Phone === phones[1] && m.Text === '【SCloud】Hi Say "hi", your code is 1002'));

    // Running the finished batch again sends nothing.
    const third = await usms(batchArgs(file, server.url, '--out', out, '--chunk', '2')).done;
    assert.equal(third.code, 0, third.stderr);
    assert.equal(JSON.parse(third.stdout.trim()).ChunksSent, 0);
    assert.equal((await inbox()).length, final.length);
  });

  test('UCloud dialect, no header row; a changed input or other settings do not resume the old state', async () => {
    const file = join(dir, 'plain.csv');
    writeFileSync(file, '13800200001,Max,1\n13800200002,"Lee, Jr",2\n13800200003,Kim,3\n');
    const args = batchArgs(file, server.url, '--dialect', 'ucloud', '--project-id', creds.ProjectId);
    const r = await usms(args).done;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const summary = JSON.parse(r.stdout.trim());
    assert.equal(summary.Accepted, 3);
    assert.equal(summary.Chunks, 1);
    assert.equal(summary.Output, join(dir, 'plain.result.csv'));
    const rows = parseCsv(readFileSync(summary.Output, 'utf8')).slice(1).map((x) => x.cells);
    assert.deepEqual(rows.map((x) => [x[0], x[1], x[3]]), [['1', '13800200001', 'accepted'], ['2', '13800200002', 'accepted'], ['3', '13800200003', 'accepted']]);
    await waitFor('delivery', async () => ((await inbox()).some((m) => m.Text === '【SCloud】Hi Lee, Jr, your code is 2') ? true : undefined));

    writeFileSync(file, '13800200001,Max,1\n13800200002,"Lee, Jr",2\n13800200004,New,4\n');
    const changed = await usms(args).done;
    assert.equal(changed.code, 1);
    assert.match(JSON.parse(changed.stdout.trim()).error, /belongs to another run \(inputSha256 differ: the input file changed\)/);
    const ucloudLimit = await usms([...args, '--chunk', '500']).done;
    assert.match(JSON.parse(ucloudLimit.stdout.trim()).error, /--chunk must be 1 to 200 for the ucloud dialect/);
  });

  test('usms send: one message to several numbers, parameters in CSV quoting; refusals name the RetCode', async () => {
    const r = await usms(['send', '--url', server.url, '--key', creds.PublicKey, '--template', tpl, '--sender', 'SCloud', '--params', '"Smith, John",77', '--to', '13800300001,13800300002', '--json']).done;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const answer = JSON.parse(r.stdout.trim());
    assert.equal(answer.RetCode, 0);
    assert.equal(answer.Action, 'SendUSMSMessageResponse');
    assert.equal(typeof answer.SessionNo, 'string');
    await waitFor('both numbers', async () => {
      const b = await inbox();
      const mine = b.filter((m) => m.Phone === '+8613800300001' || m.Phone === '+8613800300002');
      return mine.length === 2 && mine.every((m) => m.Text === '【SCloud】Hi Smith, John, your code is 77') ? true : undefined;
    });

    const rest = await usms(['send', '--url', server.url, '--key', creds.PublicKey, '--dialect', 'rest', '--template', tpl, '--sender', 'SCloud', '--params', 'A,1', '--to', '13800300003', '--json']).done;
    assert.equal(rest.code, 0, rest.stderr + rest.stdout);
    assert.equal(JSON.parse(rest.stdout.trim()).SessionNo.length, 1);

    const refused = await usms(['send', '--url', server.url, '--key', creds.PublicKey, '--template', 'UTNOPE', '--params', 'a,b', '--to', '13800300004', '--json']).done;
    assert.equal(refused.code, 1);
    assert.match(JSON.parse(refused.stdout.trim()).error, /^RetCode 18017: template UTNOPE does not exist or is not approved/);
  });
});

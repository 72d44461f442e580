/**
 * Issue #13 (redaction): personal data of every kind the report promises to redact, injected
 * into real lines of the sample logs (text and TerseJson), never survives `synlog report`,
 * `report --form` or `synlog grep --markdown --redact`, raw or percent-encoded.
 *
 * Each injection becomes a slow request of its own (the real line under a fresh tag, then a
 * real access line made slow), so the report shows its lines; a canary word next to the
 * injected text proves the line was shown, so a leak cannot hide behind a left-out line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAll as analyzeEvents } from '../analyze/run.js';
import { buildReport } from '../../src/report/report.js';
import { selectReportRequests } from '../../src/report/select.js';
import { runCli } from '../helpers/cli.js';
import { collectLines, parseLines } from '../helpers/parsed-log.js';
import { mulberry32 } from '../helpers/prng.js';

const LOGS = new URL('../../fixtures/logs/', import.meta.url);
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const B64URL = `${UPPER}${LOWER}${DIGITS}-_`;

class Gen {
  private readonly rand: () => number;
  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }
  word(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.rand() * alphabet.length)] ?? 'x';
    return s;
  }
  /** A secret value: `Qz` keeps it clear of log words and of every pseudonym. */
  secret(): string {
    return `Qz${this.word(14, `${LOWER}${UPPER}${DIGITS}`)}`;
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.rand() * xs.length)];
    if (x === undefined) throw new Error('empty pick');
    return x;
  }
}

/** Where the text goes: the request URI of an access line, the message of another line, or a traceback line under it. */
type Where = 'uri' | 'message' | 'traceback';
interface Made {
  text: string;
  secrets: string[];
}
interface Form {
  where: Where;
  make: (g: Gen) => Made;
}

const enc = encodeURIComponent;
const jwt = (g: Gen): string => `eyJ${g.word(20, B64URL)}.eyJ${g.word(40, B64URL)}.${g.word(43, B64URL)}`;
const phone = (g: Gen): { digits: string; intl: string } => {
  const rest = g.word(6, DIGITS);
  return { digits: `447700${rest}`, intl: `+44 7700 ${rest}` };
};
const mediaId = (g: Gen): string => `Qz${g.word(22, `${LOWER}${UPPER}`)}`;
const deviceId = (g: Gen): string => `QZ${g.word(8, UPPER)}`;

/** Every kind of personal data the report's header says is redacted, in the forms Synapse logs it. */
const KINDS: Record<string, Form[]> = {
  'registration tokens (and the password beside them)': [
    {
      where: 'uri',
      make: (g) => {
        const [t, p] = [g.secret(), g.secret()];
        return { text: `/_matrix/client/v3/register?registration_token=${t}&password=${p}`, secrets: [t, p] };
      },
    },
    {
      where: 'message',
      make: (g) => {
        const [t, p] = [g.secret(), g.secret()];
        return { text: `registration_token=${t} password=${p}`, secrets: [t, p] };
      },
    },
    {
      where: 'message',
      make: (g) => {
        const t = g.secret();
        return { text: `Auth completed with creds: {'m.login.registration_token': '${t}'}. Client dict has keys: ['auth', 'password']`, secrets: [t] };
      },
    },
    {
      where: 'message',
      make: (g) => {
        const [t, s] = [g.secret(), g.secret()];
        return { text: `{"auth": {"type": "m.login.registration_token", "token": "${t}", "session": "${s}"}}`, secrets: [t, s] };
      },
    },
    { where: 'uri', make: (g) => ((t) => ({ text: `/_synapse/admin/v1/registration_tokens/${t}`, secrets: [t] }))(g.secret()) },
    { where: 'uri', make: (g) => ((t) => ({ text: `/_matrix/client/v1/register/m.login.registration_token/validity?token=${t}`, secrets: [t] }))(g.secret()) },
  ],
  'secret query parameters': [
    ...[
      'access_token',
      'access%5Ftoken',
      'client_secret',
      'id_access_token',
      'sid',
      'token',
      'login_token',
      'loginToken',
      'refresh_token',
      'session',
      'ticket',
      'nonce',
      'mac',
      'h',
      'sig',
      'signature',
      'X-Amz-Signature',
      'SAMLResponse',
      'RelayState',
    ].map((key): Form => ({
      where: 'uri',
      make: (g) => ((v) => ({ text: `/_matrix/client/v3/somewhere?limit=5&${key}=${v}`, secrets: [v] }))(g.secret()),
    })),
    {
      where: 'uri',
      make: (g) => {
        const [c, s] = [g.secret(), g.secret()];
        return { text: `/_synapse/client/oidc/callback?code=${c}&state=${s}`, secrets: [c, s] };
      },
    },
    {
      where: 'uri',
      make: (g) => {
        const t = g.secret();
        return { text: `/_matrix/client/v3/login/sso/redirect?redirectUrl=${enc(`https://app.example.net/?loginToken=${t}&x=1`)}`, secrets: [t] };
      },
    },
    { where: 'uri', make: (g) => ((n) => ({ text: `/_synapse/admin/v2/users?from=0&name=${enc(`${n} Smith`)}`, secrets: [n] }))(g.secret()) },
    { where: 'uri', make: (g) => ((u) => ({ text: `/_matrix/media/v3/preview_url?url=${enc(`https://docs.example.net/${u}`)}`, secrets: [u] }))(g.secret()) },
  ],
  'secret fields and JWTs': [
    {
      where: 'message',
      make: (g) => {
        const [a, r, i] = [g.secret(), g.secret(), jwt(g)];
        return {
          text: `Successfully obtained OAuth2 token data: {'access_token': '${a}', 'id_token': '${i}', 'refresh_token': '${r}'}`,
          secrets: [a, r, ...i.split('.')],
        };
      },
    },
    {
      where: 'message',
      make: (g) => {
        const [p, q] = [g.secret(), g.secret()];
        return { text: `{"password": "${p}", "new_password": "${q}", "logout_devices": true}`, secrets: [p, q] };
      },
    },
    { where: 'message', make: (g) => ((p) => ({ text: `password=${p}`, secrets: [p] }))(g.secret()) },
    { where: 'message', make: (g) => ((t) => ({ text: `Invalid logout_token ${t}`, secrets: t.split('.') }))(jwt(g)) },
    { where: 'message', make: (g) => ((t) => ({ text: `{'hs_token': '${t}', 'url': None}`, secrets: [t] }))(g.secret()) },
    {
      // rest/client/account.py logs the identity server's answer; its submit_url can carry the validation link's secrets
      where: 'message',
      make: (g) => {
        const [sid, t, c] = [g.secret(), g.secret(), g.secret()];
        const url = `https://id.example.net/_synapse/client/password_reset/email/submit_token?token=${t}&client_secret=${c}&sid=${sid}`;
        return {
          text: `MSISDN 447700900001: got response from identity server: {'success': True, 'sid': '${sid}', 'submit_url': '${url}'}`,
          secrets: [sid, t, c],
        };
      },
    },
    {
      // federation/transport/server/_base.py
      where: 'message',
      make: (g) =>
        ((sig) => ({ text: `Error parsing auth header 'X-Matrix origin="matrix.org",key="ed25519:a_Qz",sig="${sig}"': bad`, secrets: [sig] }))(g.secret()),
    },
  ],
  'phone numbers': [
    { where: 'message', make: (g) => ((p) => ({ text: `Sending SMS to ${p.intl}`, secrets: [p.intl, p.intl.slice(4)] }))(phone(g)) },
    { where: 'message', make: (g) => ((p) => ({ text: `number +${p.digits} in use`, secrets: [p.digits, p.digits.slice(2)] }))(phone(g)) },
    { where: 'message', make: (g) => ((p) => ({ text: `msisdn=${p.digits}`, secrets: [p.digits, p.digits.slice(2)] }))(phone(g)) },
    {
      where: 'message',
      make: (g) => ((p) => ({ text: `{'m.login.msisdn': {'medium': 'msisdn', 'address': '${p.digits}'}}`, secrets: [p.digits, p.digits.slice(2)] }))(phone(g)),
    },
    {
      where: 'message',
      make: (g) => ((p) => ({ text: `MSISDN ${p.digits} is already in use by @alice:localhost`, secrets: [p.digits, p.digits.slice(2)] }))(phone(g)),
    },
    { where: 'message', make: (g) => ((p) => ({ text: `Request #1 to verify ownership of ${p.digits}`, secrets: [p.digits, p.digits.slice(2)] }))(phone(g)) },
    {
      where: 'uri',
      make: (g) => ((p) => ({ text: `/_synapse/admin/v1/threepid/msisdn/users/${p.digits}`, secrets: [p.digits, p.digits.slice(2)] }))(phone(g)),
    },
    {
      where: 'uri',
      make: (g) => ((p) => ({ text: `/_matrix/client/v3/register/msisdn/requestToken?country=GB&phone_number=${enc(p.intl)}`, secrets: [p.intl] }))(phone(g)),
    },
  ],
  'push keys': [
    ...[
      (g: Gen): string => `${g.word(22, B64URL)}:APA91b${g.word(134, B64URL)}`, // FCM
      (g: Gen): string => `APA91b${g.word(134, B64URL)}`, // legacy FCM
      (g: Gen): string => g.word(64, HEX), // APNs
    ].flatMap((key): Form[] => [
      { where: 'message', make: (g) => ((k) => ({ text: `Pushkey ${k} was rejected: removing`, secrets: k.split(':') }))(key(g)) },
      { where: 'message', make: (g) => ((k) => ({ text: `Starting pusher @alice:localhost / im.vector.app.android:${k}`, secrets: k.split(':') }))(key(g)) },
      {
        where: 'message',
        make: (g) => ((k) => ({ text: `Removing pusher for app id x, pushkey ${k}, user @alice:localhost`, secrets: k.split(':') }))(key(g)),
      },
      { where: 'message', make: (g) => ((k) => ({ text: `{"pushkey": "${k}", "app_id": "x"} ${k.split(':').pop() ?? ''}`, secrets: k.split(':') }))(key(g)) },
      { where: 'uri', make: (g) => ((k) => ({ text: `/_synapse/client/unsubscribe?app_id=x&pushkey=${enc(k)}`, secrets: k.split(':') }))(key(g)) },
    ]),
    {
      where: 'message',
      make: (g) =>
        ((k) => ({ text: `Pusher incorrectly configured id=3, user=@alice:localhost, appid=x, pushkey=${k}: boom`, secrets: [k] }))(`${g.secret()}==`),
    },
  ],
  'media IDs and uploaded file names': [
    { where: 'message', make: (g) => ((id) => ({ text: `{"url": "mxc://matrix.org/${id}", "msgtype": "m.image"}`, secrets: [id] }))(mediaId(g)) },
    { where: 'message', make: (g) => ((id) => ({ text: `see mxc://localhost/${id} and mxc://matrix.org/${id}.`, secrets: [id] }))(mediaId(g)) },
    { where: 'message', make: (g) => ((id) => ({ text: `Media ${id} is unknown`, secrets: [id] }))(mediaId(g)) },
    { where: 'message', make: (g) => ((id) => ({ text: `Failed to fetch remote media matrix.org/${id}`, secrets: [id] }))(mediaId(g)) },
    { where: 'message', make: (g) => ((id) => ({ text: `Deleting media with ID '${id}'`, secrets: [id] }))(mediaId(g)) },
    { where: 'message', make: (g) => ((id) => ({ text: `_select_and_respond_with_thumbnail: media_id=${id} desired=32x32`, secrets: [id] }))(mediaId(g)) },
    {
      where: 'message',
      make: (g) =>
        ((id) => ({
          text: `Stored local media in file '/var/lib/matrix-synapse/media/local_content/${id.slice(0, 2)}/${id.slice(2, 4)}/${id.slice(4)}'`,
          secrets: [id.slice(4)],
        }))(mediaId(g)),
    },
    {
      where: 'uri',
      make: (g) =>
        ((id, name) => ({ text: `/_matrix/client/v1/media/download/matrix.org/${id}/${enc(`${name} scan.pdf`)}`, secrets: [id, name] }))(
          mediaId(g),
          g.secret(),
        ),
    },
    { where: 'uri', make: (g) => ((id) => ({ text: `/_matrix/media/v3/thumbnail/localhost/${id}?width=32&height=32`, secrets: [id] }))(mediaId(g)) },
    { where: 'uri', make: (g) => ((id) => ({ text: `/_matrix/federation/v1/media/download/${id}`, secrets: [id] }))(mediaId(g)) },
    { where: 'uri', make: (g) => ((id) => ({ text: `/_matrix/client/v3/somewhere?img=${enc(`mxc://matrix.org/${id}`)}`, secrets: [id] }))(mediaId(g)) },
    { where: 'uri', make: (g) => ((id) => ({ text: `/_synapse/admin/v1/media/quarantine/localhost/${id}`, secrets: [id] }))(mediaId(g)) },
    { where: 'uri', make: (g) => ((n) => ({ text: `/_matrix/media/v3/upload?filename=${enc(`${n} passport.jpg`)}`, secrets: [n] }))(g.secret()) },
    { where: 'message', make: (g) => ((n) => ({ text: `Content-Disposition: inline; filename="${n} passport.jpg"`, secrets: [n] }))(g.secret()) },
    {
      where: 'message',
      make: (g) => ((n) => ({ text: `Content-Disposition: attachment; filename*=utf-8''${enc(`${n} passport.jpg`)}`, secrets: [n] }))(g.secret()),
    },
    { where: 'message', make: (g) => ((n) => ({ text: `{'upload_name': '${n} passport.jpg', 'media_length': 5}`, secrets: [n] }))(g.secret()) },
  ],
  'device IDs': [
    { where: 'uri', make: (g) => ((d) => ({ text: `/_matrix/client/v3/devices/${d}`, secrets: [d] }))(deviceId(g)) },
    { where: 'uri', make: (g) => ((d) => ({ text: `/_matrix/client/r0/keys/upload/${d}`, secrets: [d] }))(deviceId(g)) },
    {
      where: 'uri',
      make: (g) => ((d) => ({ text: `/_matrix/client/v3/sendToDevice/m.x/1?user_id=%40bot%3Alocalhost&device_id=${d}`, secrets: [d] }))(deviceId(g)),
    },
    { where: 'uri', make: (g) => ((d) => ({ text: `/_synapse/admin/v2/users/%40alice%3Alocalhost/devices/${d}`, secrets: [d] }))(deviceId(g)) },
    { where: 'message', make: (g) => ((d) => ({ text: `Updating device_keys for device '${d}' for user @alice:localhost at 5`, secrets: [d] }))(deviceId(g)) },
    {
      where: 'message',
      make: (g) => ((d) => ({ text: `Claimed one-time-keys: signed_curve25519:AAAAAQ for @alice:localhost:${d}`, secrets: [d] }))(deviceId(g)),
    },
    {
      where: 'message',
      make: (g) => ((d) => ({ text: `Got device list update edu for '@alice:matrix.org'/'${d}' from 'matrix.org'`, secrets: [d] }))(deviceId(g)),
    },
    {
      where: 'message',
      make: (g) => ((d) => ({ text: `Deleting devices ['${d}', 'QZOTHERDEV'] for '@alice:localhost'`, secrets: [d, 'QZOTHERDEV'] }))(deviceId(g)),
    },
    { where: 'message', make: (g) => ((d) => ({ text: `{"device_id": "${d}", "user_id": "@alice:localhost"}`, secrets: [d] }))(deviceId(g)) },
    { where: 'message', make: (g) => ((d) => ({ text: `as device_id=${d}`, secrets: [d] }))(deviceId(g)) },
  ],
  'home directories': [
    {
      where: 'traceback',
      make: (g) =>
        ((u) => ({ text: `  File "/home/${u}/synapse/env/lib/python3.11/site-packages/synapse/handlers/room.py", line 77, in get_state`, secrets: [u] }))(
          g.secret(),
        ),
    },
    { where: 'message', make: (g) => ((u) => ({ text: `Loading config /Users/${u}/matrix/homeserver.yaml`, secrets: [u] }))(g.secret()) },
    { where: 'message', make: (g) => ((u) => ({ text: `media store at C:\\Users\\${u}\\AppData\\synapse`, secrets: [u] }))(g.secret()) },
    { where: 'message', make: (g) => ((u) => ({ text: `cwd=/var/home/${u}/synapse`, secrets: [u] }))(g.secret()) },
  ],
};

// ---------------------------------------------------------------------------------------------
// Real lines, and how to put an injection and a fresh tag into them.
// ---------------------------------------------------------------------------------------------

const TEXT_HEADER = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - [\w.]+ - \d+ - [A-Z]+ - )([^ ]+)( - )/;
const REQUEST_LINE = /(GET|POST|PUT|DELETE) (\/[^ ]*) (HTTP\/1\.[01])/;

interface Pools {
  access: string[];
  message: string[];
}

function pools(): Pools {
  const out: Pools = { access: [], message: [] };
  for (const name of ['homeserver-info.log', 'homeserver-json.log']) {
    const lines = readFileSync(new URL(name, LOGS), 'utf8').split('\n');
    for (const l of lines) {
      const json = l.startsWith('{"log":');
      if (!json && !TEXT_HEADER.test(l)) continue;
      if (l.includes(' Processed request: ')) {
        if (REQUEST_LINE.test(l) && !l.includes('/sync') && !l.includes('/events')) out.access.push(l);
      } else if (!l.includes('\\n') && (json ? /"request":"[^"]*"/.test(l) : true)) {
        out.message.push(l);
      }
    }
  }
  return out;
}

function withTag(line: string, tag: string): string {
  if (line.startsWith('{')) return line.replace(/"request":"[^"]*"/, `"request":"${tag}"`);
  return line.replace(TEXT_HEADER, (_, a: string, _t: string, c: string) => `${a}${tag}${c}`);
}

/** Appends text to a line's message (inside the JSON `log` string for TerseJson). */
function withMessage(line: string, text: string): string {
  if (!line.startsWith('{')) return `${line} ${text}`;
  const escaped = JSON.stringify(` ${text}`).slice(1, -1);
  return line.replace(/^(\{"log":"(?:[^"\\]|\\.)*)"/, (_, head: string) => `${head}${escaped}"`);
}

/** The access line made slow (7.5 s) with the given request URI. */
function slowAccess(line: string, uri: string | null): string {
  let out = line.replace(/Processed request: [\d.]+sec\//, 'Processed request: 7.500sec/');
  if (uri !== null) {
    out = out.replace(REQUEST_LINE, (_, m: string, _u: string, p: string) => `${m} ${uri} ${p}`);
    out = out.replace(/"url":"[^"]*"/, `"url":${JSON.stringify(uri)}`);
  }
  return out;
}

interface Injection {
  kind: string;
  tag: string;
  canary: string;
  secrets: string[];
  lines: string[];
}

function injections(): Injection[] {
  const g = new Gen(20261313);
  const p = pools();
  const out: Injection[] = [];
  let n = 0;
  // Every form of every kind, three times over with fresh values and other real lines.
  for (let round = 0; round < 3; round++) {
    for (const [kind, forms] of Object.entries(KINDS)) {
      for (const form of forms) {
        n++;
        const tag = `PUT-${90000 + n}`;
        const canary = `zqmark${n}q`;
        const made = form.make(g);
        const access = g.pick(p.access);
        let lines: string[];
        if (form.where === 'uri') {
          const uri = `${made.text}${made.text.includes('?') ? '&' : '?'}${canary}=1`;
          lines = [withTag(slowAccess(access, uri), tag)];
        } else {
          const host = g.pick(p.message);
          // a traceback line follows its record (text logs only: JSON logs carry none)
          lines =
            form.where === 'traceback' && !host.startsWith('{')
              ? [withTag(host, tag), `${made.text} ${canary}`]
              : [withTag(withMessage(host, `${canary} ${made.text}`), tag)];
          lines.push(withTag(slowAccess(access, null), tag));
        }
        out.push({ kind, tag, canary, secrets: made.secrets, lines });
      }
    }
  }
  return out;
}

function leaks(out: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => out.includes(s) || out.includes(encodeURIComponent(s)));
}

// ---------------------------------------------------------------------------------------------

const ALL = injections();
const BATCH = 20;
const dir = mkdtempSync(join(tmpdir(), 'synlog-redact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('personal data injected into real log lines never survives (issue #13)', () => {
  it('covers every kind with a few hundred real lines', () => {
    expect(new Set(ALL.map((i) => i.kind))).toEqual(new Set(Object.keys(KINDS)));
    expect(ALL.reduce((n, i) => n + i.lines.length, 0)).toBeGreaterThanOrEqual(300);
    // the injected text really is in the input, raw or encoded
    for (const i of ALL) expect(leaks(i.lines.join('\n'), i.secrets), i.kind).toEqual(i.secrets);
  });

  for (const form of [false, true]) {
    it(`synlog report${form ? ' --form' : ''}`, () => {
      const failures: string[] = [];
      for (let b = 0; b < ALL.length; b += BATCH) {
        const batch = ALL.slice(b, b + BATCH);
        const lines = batch.flatMap((i) => i.lines);
        const parsed = parseLines(`/home/qzadmin/logs/batch${b}.log`, lines);
        const result = analyzeEvents(parsed.events);
        const keys = selectReportRequests(result, { maxSlow: BATCH });
        const report = buildReport(
          { result, accounting: parsed.accounting, requestLines: collectLines(parsed, keys) },
          { redact: true, keepServers: ['localhost'], form, synlogVersion: 'test', maxSlow: BATCH },
        );
        expect(report.omitted).toEqual([]);
        expect(report.text).not.toContain('qzadmin');
        for (const i of batch) {
          const leaked = leaks(report.text, i.secrets);
          const shown = report.text.includes(i.canary);
          if (leaked.length > 0 || !shown)
            failures.push(`${i.kind}: leaked ${JSON.stringify(leaked)}${shown ? '' : ' (line not shown)'}\n  ${i.lines.join('\n  ')}`);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  }

  it('synlog grep --markdown --redact', async () => {
    const file = join(dir, 'homeserver.log');
    writeFileSync(file, ALL.flatMap((i) => i.lines).join('\n') + '\n');
    const r = await runCli(['grep', ALL.map((i) => i.tag).join(','), '--markdown', '--redact', '--keep-server', 'localhost', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(dir);
    const failures: string[] = [];
    for (const i of ALL) {
      const leaked = leaks(r.stdout, i.secrets);
      const shown = r.stdout.includes(i.canary);
      if (leaked.length > 0 || !shown)
        failures.push(`${i.kind}: leaked ${JSON.stringify(leaked)}${shown ? '' : ' (line not shown)'}\n  ${i.lines.join('\n  ')}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});

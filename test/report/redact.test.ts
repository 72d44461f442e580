import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/report/redact.js';
import { mulberry32 } from '../helpers/prng.js';

const FIXTURE = new URL('../../fixtures/logs/homeserver-info.log', import.meta.url);

// ---------------------------------------------------------------------------------------------
// Seeded generator of realistic Synapse lines with personal data in them.
// ---------------------------------------------------------------------------------------------

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = `${LOWER}0123456789`;
const B64URL = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${LOWER}0123456789-_`;
const HEX = '0123456789abcdef';
const KEPT = 'chat.kept-home.net';

class Gen {
  private readonly rand: () => number;
  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.rand() * xs.length)];
    if (x === undefined) throw new Error('empty pick');
    return x;
  }
  chance(p: number): boolean {
    return this.rand() < p;
  }
  word(n: number, alphabet = ALNUM): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.rand() * alphabet.length)] ?? 'x';
    return s;
  }
  /** A remote server name; the `q` prefix keeps it clear of words and of our pseudonyms. */
  server(): string {
    return `q${this.word(7, LOWER)}.${this.pick(['org', 'com', 'net', 'de', 'io', 'chat', 'im', 'fr', 'co.uk', 'social', 'lan', 'internal'])}`;
  }
  /** First octet 11..91 and second 101..254 (not 113/252): never a substring of a pseudonym. */
  ipv4(): string {
    let second = this.int(101, 254);
    if (second === 113 || second === 252) second = 200;
    return `${this.int(11, 91)}.${second}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }
  ipv6(): string {
    const g = (): string => this.word(4, HEX).replace(/^0/, 'a');
    if (this.chance(0.5)) return `2a0${this.word(1, HEX)}:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}`;
    return `2a0${this.word(1, HEX)}:${g()}:${g()}::${g()}`;
  }
}

interface Case {
  line: string;
  /** Must not survive redaction (checked as substring, and percent-encoded). */
  secrets: string[];
  /** Must survive redaction. */
  kept: string[];
}

function generate(count: number, seed: number): Case[] {
  const g = new Gen(seed);
  // Pools, so the same identifiers recur across lines (as in real logs).
  const servers = Array.from({ length: 25 }, () => g.server());
  const anyServer = (): string => (g.chance(0.3) ? KEPT : g.pick(servers));
  const users = Array.from({ length: 60 }, () => {
    const local = `u${g.word(7)}${g.pick(['', '.x', '_y', '-z', '=2f'])}`;
    const server = anyServer();
    return { id: `@${local}:${server}`, local, server };
  });
  const rooms = Array.from({ length: 30 }, () => {
    const opaque = g.word(18, `${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ`);
    const server = anyServer();
    return { id: `!${opaque}:${server}`, opaque, server };
  });
  const aliases = Array.from({ length: 20 }, () => {
    const local = `room${g.word(6)}`;
    const server = anyServer();
    return { id: `#${local}:${server}`, local, server };
  });
  const ips4 = Array.from({ length: 40 }, () => g.ipv4());
  const ips6 = Array.from({ length: 20 }, () => g.ipv6());
  const newEvent = (): { id: string; core: string; server: string | null } => {
    if (g.chance(0.3)) {
      const core = `e${g.word(15)}`;
      const server = anyServer();
      return { id: `$${core}:${server}`, core, server };
    }
    const core = `E${g.word(42, B64URL)}`;
    return { id: `$${core}`, core, server: null };
  };
  const serverSecret = (s: string): string[] => (s === KEPT ? [] : [s]);
  const keptIf = (s: string | null): string[] => (s === KEPT ? [KEPT] : []);
  const enc = encodeURIComponent;

  const ts = (): string => `2026-11-22 07:${String(g.int(10, 59))}:${String(g.int(10, 59))},${String(g.int(100, 999))}`;
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const kind = g.int(0, 9);
    const user = g.pick(users);
    const room = g.pick(rooms);
    const alias = g.pick(aliases);
    const event = newEvent();
    const ipKind = g.int(0, 2);
    const ip4 = g.pick(ips4);
    const ip6 = g.pick(ips6);
    const ip = ipKind === 0 ? ip4 : ipKind === 1 ? ip6 : `::ffff:${ip4}`;
    const ipSecrets = ipKind === 1 ? [ip6] : [ip4];
    const since = `s${g.int(1000, 99999)}_${g.int(100, 9999)}_${g.int(10, 999)}_${g.int(1, 99)}_${g.int(1, 99)}_1_1_31_0`;
    const token = `tk${g.word(24)}`;
    const device = `dev${g.word(8)}`;
    const email = `${g.word(6, LOWER)}.${g.word(5, LOWER)}@${g.pick(servers)}`;
    let line: string;
    let secrets: string[] = [];
    let kept: string[] = [];
    switch (kind) {
      case 0:
      case 1:
      case 2: {
        // An access line: IP, requester, URI with IDs and tokens, user agent with a device name.
        const uriKind = g.int(0, 5);
        let uri: string;
        if (uriKind === 0) {
          uri = `/_matrix/client/v3/sync?timeout=30000&since=${since}&access_token=${token}`;
          secrets = [since, token];
        } else if (uriKind === 1) {
          uri = `/_matrix/client/v3/profile/${enc(user.id)}`;
          secrets = [user.local, ...serverSecret(user.server)];
          kept = keptIf(user.server);
        } else if (uriKind === 2) {
          uri = `/_matrix/client/v3/rooms/${enc(room.id)}/send/m.room.message/m${g.int(1, 9999)}`;
          secrets = [room.opaque, ...serverSecret(room.server)];
          kept = keptIf(room.server);
        } else if (uriKind === 3) {
          uri = `/_matrix/client/v3/directory/room/${enc(alias.id)}`;
          secrets = [alias.local, ...serverSecret(alias.server)];
        } else if (uriKind === 4) {
          uri = `/_matrix/client/v3/rooms/${enc(room.id)}/event/${enc(event.id)}`;
          secrets = [room.opaque, event.core, ...serverSecret(room.server)];
          if (event.server) secrets.push(...serverSecret(event.server));
        } else {
          uri = `/_matrix/client/v3/register/email/requestToken?client_secret=${token}&sid=sid${token}&session=ses${token}`;
          secrets = [token];
        }
        const fed = g.chance(0.2);
        const requester = fed ? g.pick(servers) : g.chance(0.2) ? 'None' : user.id;
        if (fed) secrets.push(requester);
        else if (requester !== 'None') {
          secrets.push(user.local, ...serverSecret(user.server));
          kept.push(...keptIf(user.server));
        }
        const ua = g.pick([
          `Element/1.11.${g.int(1, 99)} (${device}; Android 13; Flavour GooglePlay)`,
          `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Element/1.11.85 Chrome/128.0.6613.36 Electron/32.0.1 Safari/537.36 ${device}`,
          `curl/8.5.0 (${device}.${g.pick(servers)})`,
          `FluffyChat/1.2 (${email})`,
        ]);
        secrets.push(device);
        if (ua.includes(email)) secrets.push(email);
        kept.push(ua.slice(0, ua.indexOf('/') + 2)); // the product token's name/major
        const tag = `${g.pick(['GET', 'PUT', 'POST'])}-${g.int(1, 99999)}`;
        line = `${ts()} - synapse.access.http.8008 - 450 - INFO - ${tag} - ${ip} - 8008 - {${requester}} Processed request: 0.006sec/0.000sec (0.004sec, 0.000sec) (0.004sec/0.001sec/6) 3726B 200 "GET ${uri} HTTP/1.1" "${ua}" [0 dbevts]`;
        secrets.push(...ipSecrets);
        kept.push('Processed request: 0.006sec/0.000sec (0.004sec, 0.000sec) (0.004sec/0.001sec/6) 3726B 200 "GET ');
        break;
      }
      case 3: {
        // Outbound federation request.
        const dest = g.chance(0.5) ? `${ip4}:8448` : g.pick(servers);
        const scheme = g.pick(['matrix', 'matrix-federation']);
        line = `${ts()} - synapse.http.matrixfederationclient - 709 - INFO - POST-${g.int(1, 999)} - {GET-O-${g.int(1, 99)}} [${dest}] Request failed: GET ${scheme}://${dest}/_matrix/federation/v1/make_join/${enc(room.id)}/${enc(user.id)}?ver=1&ver=2: RequestSendFailed`;
        secrets = [dest.replace(':8448', ''), room.opaque, user.local, ...serverSecret(room.server), ...serverSecret(user.server)];
        kept = [...keptIf(room.server), ...keptIf(user.server), 'Request failed: GET '];
        break;
      }
      case 4: {
        // Twisted reprs with client addresses.
        const repr = g.pick([
          `Timing out client: IPv4Address(type='TCP', host='${ip4}', port=${g.int(1024, 65535)})`,
          `EMFILE recovery: Closed socket from ('${ip4}', ${g.int(1024, 65535)})`,
          `Connection from IPv6Address(type='TCP', host='${ip6}', port=8008, flowInfo=0, scopeID=0) lost`,
        ]);
        line = `${ts()} - twisted - 275 - INFO - sentinel - ${repr}`;
        secrets = repr.includes(ip6) ? [ip6] : [ip4];
        break;
      }
      case 5: {
        // Event handling with room/event IDs in the tag and the message.
        line = `${ts()} - synapse.handlers.federation - 162 - INFO - PUT-${g.int(1, 999)}-${event.id} - [${room.id} ${event.id}] handling received PDU: <FrozenEventV3 event_id='${event.id}', type='m.room.member', state_key='${user.id}'>`;
        secrets = [room.opaque, event.core, user.local, ...serverSecret(room.server), ...serverSecret(user.server)];
        if (event.server) secrets.push(...serverSecret(event.server));
        kept = [...keptIf(room.server), ...keptIf(user.server)];
        break;
      }
      case 6: {
        // Free text mentions of servers, aliases, e-mails.
        const server = g.pick(servers);
        line = `${ts()} - synapse.util.retryutils - 237 - INFO - POST-${g.int(1, 999)} - Connection to ${server} was unsuccessful; alias ${alias.id}, mail to ${email}; backoff now 600000`;
        secrets = [server, alias.local, email, email.slice(0, email.indexOf('@')), ...serverSecret(alias.server)];
        kept = ['was unsuccessful', 'backoff now 600000'];
        break;
      }
      case 7: {
        // The old request repr with a query string (Synapse did not redact everything).
        line = `${ts()} - synapse.http.site - 203 - WARNING - GET-${g.int(1, 999)} - Error processing request <XForwardedForRequest at 0x7f98f6009550 method='GET' uri='/_matrix/client/r0/sync?filter=8&since=${since}&access_token=${token}' clientproto='HTTP/1.0' site=8083>: Connection was closed cleanly.`;
        secrets = [since, token];
        kept = ["method='GET'"];
        break;
      }
      case 8: {
        // TerseJson access record.
        const server = g.pick(servers);
        line = `{"log":"${ip} - 8008 - {${user.id}} Processed request: 0.012sec/0.001sec ru=(0.008sec, 0.000sec) db=(0.000sec/0.003sec/2) 52B 200 \\"GET /_matrix/client/v3/account/whoami HTTP/1.1\\" \\"Nheko/0.11 (${device})\\" [0 dbevts]","namespace":"synapse.access.http.8008","level":"INFO","time":1700000000.12,"server_name":"${server}","request":"GET-42","ip_address":"${ip}","requester":"${user.id}","user_agent":"Nheko/0.11 (${device})"}`;
        secrets = [...ipSecrets, user.local, device, server, ...serverSecret(user.server)];
        kept = ['"namespace":"synapse.access.http.8008"', 'Nheko/0.11'];
        break;
      }
      default: {
        // A login record and a bearer token.
        line = `${ts()} - synapse.rest.client.login - 500 - INFO - POST-${g.int(1, 999)} - Got login request with identifier: {'type': 'm.id.user', 'user': '${user.local}'}, medium: 'email', address: '${email}', user: None; Authorization: Bearer syt_${g.word(20)}_${token}`;
        secrets = [user.local, email, token];
        kept = ["{'type': 'm.id.user', 'user': '"];
        break;
      }
    }
    cases.push({ line, secrets, kept });
  }
  return cases;
}

function leaks(out: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => s !== '' && (out.includes(s) || out.includes(encodeURIComponent(s))));
}

// ---------------------------------------------------------------------------------------------

describe('redaction property test (seeded)', () => {
  const cases = generate(3000, 20261122);

  it('lets no generated identifier or secret survive, and keeps what must stay', () => {
    const r = createRedactor({ keepServers: [KEPT, 'localhost'] });
    const failures: string[] = [];
    for (const c of cases) {
      const out = r.redact(c.line);
      const leaked = leaks(out, c.secrets);
      const lost = c.kept.filter((k) => !out.includes(k));
      if (leaked.length > 0 || lost.length > 0) {
        failures.push(`leaked ${JSON.stringify(leaked)} lost ${JSON.stringify(lost)}\n  in:  ${c.line}\n  out: ${out}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(2000);
  });

  it('is deterministic for the same input order', () => {
    const a = createRedactor({ keepServers: [KEPT] });
    const b = createRedactor({ keepServers: [KEPT] });
    for (const c of cases.slice(0, 300)) expect(a.redact(c.line)).toBe(b.redact(c.line));
  });
});

describe('pseudonym consistency', () => {
  it('gives the same ID the same pseudonym in every form and line', () => {
    const r = createRedactor({ keepServers: ['localhost'] });
    const a = r.redact(
      'x - 1.2.3.4 - 8008 - {@alice:matrix.org} Processed request: 0.1sec/0.0sec (0.0sec, 0.0sec) (0.0sec/0.0sec/0) 2B 200 "GET /_matrix/client/v3/profile/%40alice%3Amatrix.org HTTP/1.1" "curl/8.5.0" [0 dbevts]',
    );
    expect(a).toContain('{@user1:server1.example}');
    expect(a).toContain('/profile/%40user1%3Aserver1.example ');
    expect(a).toContain(' 192.0.2.1 ');
    const b = r.redact('Timing out typing for: @alice:matrix.org; client 1.2.3.4; state_key=@alice:matrix.org');
    expect(b).toBe('Timing out typing for: @user1:server1.example; client 192.0.2.1; state_key=@user1:server1.example');
    // The same room plain and encoded, the same server in IDs and in free text.
    expect(r.redact('!abcDEF:matrix.org %21abcDEF%3Amatrix.org matrix.org')).toBe('!room1:server1.example %21room1%3Aserver1.example server1.example');
  });

  it('gives different IDs different pseudonyms', () => {
    const r = createRedactor({ keepServers: [] });
    const out = r.redact('@a:x.org @b:x.org @a:y.org !r:x.org !s:x.org 10.0.0.1 10.0.0.2 ::1 ::2 s1_2_3_4 s1_2_3_5');
    expect(out).toBe(
      '@user1:server1.example @user2:server1.example @user3:server2.example !room1:server1.example ' +
        '!room2:server1.example 192.0.2.1 192.0.2.2 2001:db8::1 2001:db8::2 tok1 tok2',
    );
  });

  it('keeps the mapping for --redaction-map', () => {
    const r = createRedactor({ keepServers: ['localhost'] });
    r.redact('{@alice:localhost} {@bob:matrix.org} ::ffff:127.0.0.1 %21room%3Amatrix.org $abc:matrix.org a.b@mail.de since=s1_2_3_4 [::1]:8448');
    const m = r.mapping();
    expect(m.get('@alice:localhost')).toBe('@user1:localhost');
    expect(m.get('@bob:matrix.org')).toBe('@user2:server1.example');
    expect(m.get('matrix.org')).toBe('server1.example');
    expect(m.get('127.0.0.1')).toBe('192.0.2.1');
    expect(m.get('!room:matrix.org')).toBe('!room1:server1.example');
    expect(m.get('$abc:matrix.org')).toBe('$event1:server1.example');
    expect(m.get('a.b@mail.de')).toBe('mail1@example.invalid');
    expect(m.get('s1_2_3_4')).toBe('tok1');
    expect(m.get('::1')).toBe('2001:db8::1'); // as first written, not expanded
    expect([...m.keys()]).not.toContain('localhost'); // kept servers are not pseudonymised
  });
});

describe('the real fixture log', () => {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n');

  it('leaves no IP, user, since token or device name, and keeps timings and status codes', () => {
    const r = createRedactor({ keepServers: ['localhost'] });
    const out = lines.map((l) => r.redact(l));
    expect(out).toHaveLength(lines.length);
    const all = out.join('\n');
    expect(all).not.toContain('127.0.0.1');
    expect(all).not.toMatch(/@(?:alice|bob|carol|dave|erin|frank|slowpoke|quitter|hanger|flood)\b/);
    expect(all).not.toMatch(/%40(?:alice|bob|carol|dave|erin|frank)/);
    expect(all).not.toMatch(/since=s\d/);
    expect(all).not.toMatch(/\((?:alice|bob|carol|dave|erin|frank)[;)]/); // UA comments
    expect(all).toContain('@user1:localhost');
    expect(all).toContain('"realrun-driver/1.0 (redacted)"');

    let processed = 0;
    for (let i = 0; i < lines.length; i++) {
      const before = lines[i] ?? '';
      const after = out[i] ?? '';
      expect(after.slice(0, 23)).toBe(before.slice(0, 23)); // timestamps untouched
      const seg = /Processed request: [^"]*"[A-Z]+ /.exec(before)?.[0];
      if (seg !== undefined) {
        processed++;
        expect(after).toContain(seg); // timings, sizes, status code
      }
    }
    expect(processed).toBeGreaterThan(1000);
  });

  it('redacts the federation and repr lines of the fixture', () => {
    const r = createRedactor({ keepServers: ['localhost'] });
    const fed = lines.find((l) => l.includes('Request failed: GET matrix://') && l.includes('/make_join/'));
    const repr = lines.find((l) => l.includes("IPv4Address(type='TCP'"));
    expect(fed).toBeDefined();
    expect(repr).toBeDefined();
    expect(r.redact(fed ?? '')).toMatch(
      /\[192\.0\.2\.\d+:\d+\] Request failed: GET matrix:\/\/192\.0\.2\.\d+:\d+\/_matrix\/federation\/v1\/make_join\/%21room\d+%3A192\.0\.2\.\d+%3A\d+\/%40user\d+%3Alocalhost\?/,
    );
    expect(r.redact(repr ?? '')).toMatch(/IPv4Address\(type='TCP', host='192\.0\.2\.\d+', port=\d+\)/);
  });
});

describe('forms from the log-format spec', () => {
  const r = (): ReturnType<typeof createRedactor> => createRedactor({ keepServers: ['example.com'] });

  it('IPv6, a remote user and a since token in an access line', () => {
    const line =
      '2019-07-13 10:59:43,934 - synapse.access.http.8083 - 302 - INFO - GET-295130- 2a02:810a:87c0:3a11:aefd:ceff:fe3d:9e83 - 8083 - {@joerg:alea.gnuu.de} Processed request: 0.004sec/0.131sec (0.004sec, 0.004sec) (0.000sec/0.000sec/0) 364B 200! "GET /_matrix/client/r0/sync?filter=8&timeout=0&since=s2661503_51275966_31471_1968800_52703_4_10151_380580_8 HTTP/1.0" "Mozilla/5.0 (X11; Linux x86_64; rv:70.0) Gecko/20100101 Firefox/70.0" [0 dbevts]';
    expect(r().redact(line)).toBe(
      '2019-07-13 10:59:43,934 - synapse.access.http.8083 - 302 - INFO - GET-295130- 2001:db8::1 - 8083 - {@user1:server1.example} Processed request: 0.004sec/0.131sec (0.004sec, 0.004sec) (0.000sec/0.000sec/0) 364B 200! "GET /_matrix/client/r0/sync?filter=8&timeout=0&since=tok1 HTTP/1.0" "Mozilla/5.0 (X11; Linux x86_64; rv:70.0) Gecko/20100101 Firefox/70.0" [0 dbevts]',
    );
  });

  it('IPv4-mapped IPv6 and an encoded user with encoded dots and dashes', () => {
    const line =
      '2022-11-13 10:12:54,669 - synapse.access.http.8008 - 450 - INFO - PUT-67 - ::ffff:127.0.0.1 - 8008 - {@mock_client:synapse-test.localhost} Processed request: 0.006sec/0.000sec (0.001sec, 0.000sec) (0.001sec/0.004sec/1) 2B 200 "PUT /_matrix/client/v3/user/%40mock%5Fclient%3Asynapse%2Dtest%2Elocalhost/account_data/m%2Edirect HTTP/1.1" "matrix-rust-sdk" [0 dbevts]';
    expect(r().redact(line)).toBe(
      '2022-11-13 10:12:54,669 - synapse.access.http.8008 - 450 - INFO - PUT-67 - ::ffff:192.0.2.1 - 8008 - {@user1:server1.example} Processed request: 0.006sec/0.000sec (0.001sec, 0.000sec) (0.001sec/0.004sec/1) 2B 200 "PUT /_matrix/client/v3/user/%40user1%3Aserver1%2Eexample/account_data/m%2Edirect HTTP/1.1" "matrix-rust-sdk" [0 dbevts]',
    );
  });

  it('a journald prefix host and a federation requester', () => {
    const line =
      'Apr 27 15:02:45 canode.darkcloud.ca synapse[292]: 2022-04-27 15:02:45,767 - synapse.access.http.8008 - 427 - INFO - PUT-18572 - redacted - 8008 - {matrix.org} Processed request: 0.072sec/0.012sec (0.004sec, 0.000sec) (0.001sec/0.004sec/2) 11B 200 "PUT /_matrix/federation/v1/send/1650977316692 HTTP/1.0" "Synapse/1.58.0rc1" [0 dbevts]';
    expect(r().redact(line)).toBe(
      'Apr 27 15:02:45 server1.example synapse[292]: 2022-04-27 15:02:45,767 - synapse.access.http.8008 - 427 - INFO - PUT-18572 - redacted - 8008 - {server2.example} Processed request: 0.072sec/0.012sec (0.004sec, 0.000sec) (0.001sec/0.004sec/2) 11B 200 "PUT /_matrix/federation/v1/send/1650977316692 HTTP/1.0" "Synapse/1.58.0rc1" [0 dbevts]',
    );
  });

  it('an outbound request: [server] tag and matrix-federation:// URL', () => {
    const line =
      "my-matrix-server-federation-sender-1 | 2023-01-25 20:56:20,995 - synapse.http.matrixfederationclient - 709 - WARNING - federation_transaction_transmission_loop-3 - {PUT-O-3} [matrix.org] Request failed: PUT matrix-federation://matrix.org/_matrix/federation/v1/send/1674680155797: HttpResponseException('403: Forbidden')";
    expect(r().redact(line)).toBe(
      "my-matrix-server-federation-sender-1 | 2023-01-25 20:56:20,995 - synapse.http.matrixfederationclient - 709 - WARNING - federation_transaction_transmission_loop-3 - {PUT-O-3} [server1.example] Request failed: PUT matrix-federation://server1.example/_matrix/federation/v1/send/1674680155797: HttpResponseException('403: Forbidden')",
    );
  });

  it('kept servers stay, their users do not', () => {
    const red = r();
    expect(
      red.redact(
        'PUT-74929 - 0.0.0.0 - 8008 - {@alice:example.com} Processed request: x "PUT /_matrix/client/r0/user/%40alice%3Aexample.com/account_data/x HTTP/1.0" "curl/8.5.0" [0 dbevts]',
      ),
    ).toBe(
      'PUT-74929 - 192.0.2.1 - 8008 - {@user1:example.com} Processed request: x "PUT /_matrix/client/r0/user/%40user1%3Aexample.com/account_data/x HTTP/1.0" "curl/8.5.0" [0 dbevts]',
    );
    expect(red.redact('{@admin:example.com|@bob:EXAMPLE.com} [example.com] https://example.com/x')).toBe(
      '{@user2:example.com|@user3:EXAMPLE.com} [example.com] https://example.com/x',
    );
  });

  it('v3+ event IDs in tags and reprs, rooms, v1 events', () => {
    const line =
      "PUT-556442-$jfVM3iT0CTUUdeFixprfTkyMBW0qDJqIrrt1fs6Q_4k-$_U51nsq4LzfN00WtIkQCSssCmJpax-w61gW2i-tgAx4 - [!OGEhHVWSdvArJzumhm:matrix.org $_U51nsq4LzfN00WtIkQCSssCmJpax-w61gW2i-tgAx4] handling received PDU: <FrozenEventV3 event_id='$_U51nsq4LzfN00WtIkQCSssCmJpax-w61gW2i-tgAx4', type='m.room.message'> prev $1234abcd:matrix.org";
    expect(r().redact(line)).toBe(
      "PUT-556442-$event1-$event2 - [!room1:server1.example $event2] handling received PDU: <FrozenEventV3 event_id='$event2', type='m.room.message'> prev $event3:server1.example",
    );
  });

  it('servers with ports and IP literals keep their ports', () => {
    expect(r().redact('@a:matrix.org:8448 !r:[2001:db8::1]:8448 #x:1.2.3.4:8008 matrix://[fe80::1]:8448/')).toBe(
      '@user1:server1.example:8448 !room1:[2001:db8::1]:8448 #alias1:192.0.2.1:8008 matrix://[2001:db8::2]:8448/',
    );
  });

  it('reprs, tuples and IPv6 with an unbracketed port', () => {
    expect(r().redact("IPv6Address(type='TCP', host='::1', port=8008) ('10.1.2.3', 59036) ::1:59036 host='worker1.internal'")).toBe(
      "IPv6Address(type='TCP', host='2001:db8::1', port=8008) ('192.0.2.1', 59036) 2001:db8::1:59036 host='server1.example'",
    );
  });

  it("secrets and tokens in queries, Synapse's own <redacted> left alone", () => {
    const red = r();
    expect(red.redact('/_matrix/client/v3/sync?access_token=<redacted>&since=s1_2_3_4&next_batch=abc&from=t12-34_5_6&to=x&dir=b')).toBe(
      '/_matrix/client/v3/sync?access_token=<redacted>&since=tok1&next_batch=tok2&from=tok3&to=tok4&dir=b',
    );
    expect(red.redact('/register?client_secret=abc&sid=def&token=ghi&session=jkl&login_token=mno')).toBe(
      '/register?client_secret=<redacted>&sid=<redacted>&token=<redacted>&session=<redacted>&login_token=<redacted>',
    );
    expect(red.redact('password=hunter2 Bearer syt_YWxpY2U_abcdefghijklmnopqrst_1a2b3c and syt_YWxpY2U_abcdefghijklmnop_0x')).toBe(
      'password=<redacted> Bearer <redacted> and <redacted>',
    );
    // Words that only look like keys stay.
    expect(red.redact('timeout=30000 session_id=1 resid=2')).toBe('timeout=30000 session_id=1 resid=2');
  });

  it('matrix.to links keep the public host, not the IDs', () => {
    expect(r().redact('https://matrix.to/#/@alice:matrix.org and https://matrix.to/#/%23room%3Amatrix.org')).toBe(
      'https://matrix.to/#/@user1:server1.example and https://matrix.to/#/%23alias1%3Aserver1.example',
    );
  });

  it('e-mail addresses, plain and percent-encoded', () => {
    expect(r().redact("address: 'first.last+tag@mail.example.org', %3Fx=bob%40corp.de, a@b.io")).toBe(
      "address: 'mail1@example.invalid', %3Fx=mail2%40example.invalid, mail3@example.invalid",
    );
  });

  it('media IDs and their servers', () => {
    expect(r().redact('GET /_matrix/media/v3/download/matrix.org/abcDEF123?allow_redirect=true /_matrix/media/v3/thumbnail/example.com/xyz')).toBe(
      'GET /_matrix/media/v3/download/server1.example/media1?allow_redirect=true /_matrix/media/v3/thumbnail/example.com/media2',
    );
  });

  it('leaves ordinary log text alone', () => {
    const text =
      "2026-11-22 07:42:21,260 - synapse.storage.prepare_database - 519 - INFO - main - Applying schema 56/event_labels.sql; File \"/opt/venvs/matrix-synapse/lib/python3.11/site-packages/synapse/app/homeserver.py\", line 12; m.room.message; Element/1.11.85; v1.2.3; 07:42:21; 0.253sec; [0 dbevts] {None} [TXN OPERROR] {add_push_actions_to_staging-5a} ['main', 'state'] x=1 200!";
    expect(r().redact(text)).toBe(text);
  });

  it('keeps percent-encoded IDs encoded and plain IDs plain', () => {
    expect(r().redact('%40a%3Amatrix.org %40a:matrix.org %21r%3amatrix%2Eorg %23al%3Amatrix.org %24ev%3Amatrix.org')).toBe(
      '%40user1%3Aserver1.example %40user1:server1.example %21room1%3aserver1%2Eexample %23alias1%3Aserver1.example %24event1%3Aserver1.example',
    );
  });
});

describe('user agents', () => {
  const r = createRedactor({ keepServers: [] });

  it('keeps product and platform tokens, drops device names and free text', () => {
    expect(r.redactUserAgent('Element/1.6.10 (Xiaomi Mi 9T; Android 11; RKQ1.200826.002 test-keys; Flavour GooglePlay; MatrixAndroidSdk2 1.6.10)')).toBe(
      'Element/1.6.10 (redacted; Android 11; redacted; Flavour GooglePlay; MatrixAndroidSdk2 1.6.10)',
    );
    const desktop =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Element/1.11.85 Chrome/128.0.6613.36 Electron/32.0.1 Safari/537.36';
    expect(r.redactUserAgent(desktop)).toBe(desktop);
    expect(r.redactUserAgent("Bob's phone running FluffyChat/1.2 (bob@example.org; iPhone; iOS 17.1)")).toBe(
      'redacted FluffyChat/1.2 (redacted; iPhone; iOS 17.1)',
    );
    expect(r.redactUserAgent('curl/8.5.0')).toBe('curl/8.5.0');
    expect(r.redactUserAgent('-')).toBe('-');
    expect(r.redactUserAgent('Element/1.0 (CPU iPhone OS 17_1 like Mac OS X) [FBAN/x; alice-laptop]')).toBe(
      'Element/1.0 (CPU iPhone OS 17_1 like Mac OS X) [redacted; redacted]',
    );
  });

  it('is applied to the user agent of an access line and to a bare user agent', () => {
    expect(r.redact('Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro)')).toBe('Mozilla/5.0 (Linux; Android 14; redacted)');
    const line =
      '- {None} Processed request: 0.1sec/0.0sec (0.0sec, 0.0sec) (0.0sec/0.0sec/0) 2B 200 "GET / HTTP/1.1" "Bot/1.0 (admin@host.org) "quoted" [0 dbevts]" [0 dbevts]';
    expect(r.redact(line)).toBe(
      '- {None} Processed request: 0.1sec/0.0sec (0.0sec, 0.0sec) (0.0sec/0.0sec/0) 2B 200 "GET / HTTP/1.1" "Bot/1.0 (redacted) redacted [redacted]" [0 dbevts]',
    );
  });

  it('treats each line of a multi-line text on its own', () => {
    const line = (dev: string): string =>
      `x - {None} Processed request: 0.1sec/0.0sec (0.0sec, 0.0sec) (0.0sec/0.0sec/0) 2B 200 "GET / HTTP/1.1" "Element/1.0 (${dev})" [0 dbevts]`;
    const out = r.redact(`${line('alices-phone')}\n${line('bobs-tablet')}`);
    expect(out).not.toMatch(/alices|bobs/);
    expect(out.split('\n')).toHaveLength(2);
  });

  it('redacts a host or IP posing as a product token', () => {
    expect(r.redactUserAgent('bob-pc.home.lan/1.0 x/10.1.2.3')).toBe('server1.example/1.0 x/192.0.2.1');
  });
});

describe('robustness', () => {
  // Each of these repeated to 200 KB must not take super-linear time.
  const UNITS = [
    '@',
    '@a',
    '%40',
    '%40a%2F',
    '!a',
    '$',
    '#a',
    'a.',
    '.a',
    ':',
    '::',
    'a:',
    'f:f:',
    '1.',
    '1.1.',
    '{a',
    '[a',
    '=',
    'since=',
    '"server_name":"\\',
    '"user_agent":"',
    's1_',
    'syt_',
    'x@',
    'a@b.',
    "host='",
    "user': '",
    '%3A',
    ' HTTP/1.1" "',
    '(',
    'a'.repeat(300) + '.',
    // the rules for phones, paths, fields, push keys, JWTs, devices and media
    '+1',
    '+1 ',
    '%2B1',
    '0',
    '0123456789abcdef ',
    '/home/',
    '/home/a',
    '\\Users\\',
    "'token': '",
    '"device_id":"',
    '\\"token\\": \\"',
    'eyJ',
    'eyJa.',
    'APA91',
    'x:APA91',
    'devices [',
    "devices ['a', ",
    "device '",
    'Media ',
    'Media abcdefghABCDEFGH1/',
    'Starting pusher ',
    'pushkey ',
    'MSISDN 1',
    '/devices/',
    '/download/a/',
    '/local_content/ab/',
    '/remote_content/a/',
    '/admin/v1/media/',
    'filename*=',
    'filename=',
    '%3D',
    'a%3D',
    'token%3D',
    '@a:b.c:',
    "'@a:b.c'/'",
    'a%3A%2F%2F',
    'mxc%3A%2F%2Fa.b%2F',
  ];

  it.each(UNITS.map((u) => [u]))('stays linear on %j repeated', (unit) => {
    const r = createRedactor({ keepServers: ['localhost'] });
    const n = 200_000;
    const text = unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
    const t0 = performance.now();
    const out = r.redact(text);
    const ms = performance.now() - t0;
    expect(typeof out).toBe('string');
    expect(ms).toBeLessThan(3000); // ~10 ms normally; quadratic behaviour would take minutes
  });

  it('keeps text without anything to redact byte-identical', () => {
    const r = createRedactor({ keepServers: [] });
    const weird = 'ünïcödé 日本語 🙂 \u0000\u001b[0m \\x00 %zz %4 %40 @ ! # $ :: ... [] {} "" \'\'';
    expect(r.redact(weird)).toBe(weird);
  });
});

describe('secret-bearing parameters and fields (KEY_TABLE)', () => {
  const r = (): ReturnType<typeof createRedactor> => createRedactor({ keepServers: ['example.com'] });

  it('redacts registration_token wherever password is redacted', () => {
    const red = r();
    expect(red.redact('POST /_matrix/client/v3/register?registration_token=tok3n42&password=hunter2 HTTP/1.1')).toBe(
      'POST /_matrix/client/v3/register?registration_token=<redacted>&password=<redacted> HTTP/1.1',
    );
    expect(red.redact('registration_token=tok3n42 password=hunter2')).toBe('registration_token=<redacted> password=<redacted>');
    // handlers/auth.py logs the completed UI-auth stages: the registration token is the value
    expect(red.redact("Auth completed with creds: {'m.login.registration_token': 'tok3n42'}. Client dict has keys: ['username']")).toBe(
      "Auth completed with creds: {'m.login.registration_token': '<redacted>'}. Client dict has keys: ['username']",
    );
    // rest/admin/registration_tokens.py: the token is a path segment; `new` is the create endpoint
    expect(red.redact('GET /_synapse/admin/v1/registration_tokens/tok3n42 POST /_synapse/admin/v1/registration_tokens/new')).toBe(
      'GET /_synapse/admin/v1/registration_tokens/<redacted> POST /_synapse/admin/v1/registration_tokens/new',
    );
  });

  it('redacts the client-server, SSO and admin query secrets', () => {
    const red = r();
    // OIDC callback (handlers/oidc.py), CAS ticket and UI-auth session (rest/client/login.py, auth.py)
    expect(red.redact('GET /_synapse/client/oidc/callback?code=c0de&state=st4te&session_state=x HTTP/1.1')).toBe(
      'GET /_synapse/client/oidc/callback?code=<redacted>&state=<redacted>&session_state=x HTTP/1.1',
    );
    expect(red.redact('/_matrix/client/v3/login/cas/ticket?redirectUrl=x&session=s3ss&ticket=ST-1-abc')).toBe(
      '/_matrix/client/v3/login/cas/ticket?redirectUrl=x&session=<redacted>&ticket=<redacted>',
    );
    // shared-secret registration, consent HMAC, m.login.token, refresh, presigned media URLs
    expect(red.redact('?nonce=n0nce&mac=abc123&h=f00&u=alice&loginToken=lt&refresh_token=rt&X-Amz-Signature=aws&sig=az')).toBe(
      '?nonce=<redacted>&mac=<redacted>&h=<redacted>&u=user1&loginToken=<redacted>&refresh_token=<redacted>&X-Amz-Signature=<redacted>&sig=<redacted>',
    );
    // Synapse's own redact_uri allows an encoded underscore in the key
    expect(red.redact('/sync?access%5Ftoken=abc&client%5Fsecret=def')).toBe('/sync?access%5Ftoken=<redacted>&client%5Fsecret=<redacted>');
    // a login token inside an encoded redirect URL
    expect(red.redact('?redirectUrl=https%3A%2F%2Fapp.example.com%2F%3FloginToken%3Dsecr3t%26x%3D1')).toBe(
      '?redirectUrl=https%3A%2F%2Fserver1.example%2F%3FloginToken%3D<redacted>%26x%3D1',
    );
    // admin searches and URL previews
    expect(red.redact('/_synapse/admin/v2/users?name=Alice%20Smith&from=0 /preview_url?url=https%3A%2F%2Fdocs.example.com%2Fprivate&ts=1')).toBe(
      '/_synapse/admin/v2/users?name=<redacted>&from=tok1 /preview_url?url=<redacted>&ts=1',
    );
  });

  it('redacts secret fields of JSON, of JSON-escaped JSON and of Python reprs, and JWTs', () => {
    const red = r();
    expect(
      red.redact(
        `Successfully obtained OAuth2 token data: {'access_token': 'at1', 'id_token': 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln', 'refresh_token': "rt'1"}`,
      ),
    ).toBe("Successfully obtained OAuth2 token data: {'access_token': '<redacted>', 'id_token': '<redacted>', 'refresh_token': \"<redacted>\"}");
    expect(red.redact('{"auth":{"type":"m.login.registration_token","token":"t0k","session":"s3s"},"password":"pw"}')).toBe(
      '{"auth":{"type":"m.login.registration_token","token":"<redacted>","session":"<redacted>"},"password":"<redacted>"}',
    );
    expect(red.redact('{"log":"body {\\"new_password\\": \\"pw\\", \\"logout_devices\\": true}"}')).toBe(
      '{"log":"body {\\"new_password\\": \\"<redacted>\\", \\"logout_devices\\": true}"}',
    );
    expect(red.redact('logout_token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl done')).toBe('logout_token <redacted> done');
    // display names and message text in a known field are free text, so redacted whole
    expect(red.redact(`{"displayname": "Alice Smith", "body": "call me"} {'topic': 'Our plans'}`)).toBe(
      `{"displayname": "<redacted>", "body": "<redacted>"} {'topic': '<redacted>'}`,
    );
  });

  it('leaves near-misses alone: servlets, status codes, durations, event types, other keys', () => {
    const text =
      'RoomSendEventRestServlet 200 0.253sec m.room.message m.login.registration_token code=500 state=joined ' +
      'state_key=x session_id=1 codes=2 mac_address=3 tokens=4 signature_count=5 "token_type": "bearer" ' +
      "{'state': None, 'code': 401} ?filter=8&timeout=30000&dir=b /_matrix/client/v3/rooms/x/state/m.room.name/";
    expect(r().redact(text)).toBe(text);
  });
});

describe('personal data that is not an ID', () => {
  const r = (): ReturnType<typeof createRedactor> => createRedactor({ keepServers: ['example.com'] });

  it('phone numbers: international forms, MSISDNs in 3PID fields, paths and messages', () => {
    const red = r();
    expect(red.redact('sms to +44 7700 900123, again +447700900123, encoded %2B44%207700%20900123')).toBe('sms to +phone1, again +phone1, encoded %2Bphone1');
    expect(red.redact("{'medium': 'msisdn', 'address': '447700900123', 'validated_at': 1} msisdn=447700900123 phone_number=07700 900123")).toBe(
      "{'medium': 'msisdn', 'address': 'phone1', 'validated_at': 1} msisdn=phone1 phone_number=phone2",
    );
    // rest/client/account.py, rest/admin/users.py
    expect(red.redact('MSISDN 447700900123 is already in use by @bob:example.com; Request #2 to verify ownership of 447700900123')).toBe(
      'MSISDN phone1 is already in use by @user1:example.com; Request #2 to verify ownership of phone1',
    );
    expect(red.redact('GET /_synapse/admin/v1/threepid/msisdn/users/447700900123 HTTP/1.1')).toBe(
      'GET /_synapse/admin/v1/threepid/msisdn/users/phone1 HTTP/1.1',
    );
  });

  it('phone numbers: near-misses stay (offsets, versions, timestamps, short numbers, base64, e-mail addresses)', () => {
    const text = '+0000 +01:00 2026-11-22T07:42:21+00:00 +1 day +12345 v1.2.3+4567890 abc+4477009001 +2026-11-22 07:42 address=x@y';
    expect(r().redact(text)).toBe(text);
    expect(r().redact("'address': 'alice@mail.example.org'")).toBe("'address': 'mail1@example.invalid'");
  });

  it('push keys: FCM and APNs tokens, pushkey= and the pusher lines of push/', () => {
    const red = r();
    const fcm = `dGhpc2lzYW5pbnN0YW5jZUlE:APA91b${'Xy-_'.repeat(30)}`;
    const apns = '0123456789abcdef'.repeat(4);
    expect(red.redact(`Pushkey ${fcm} was rejected: removing`)).toBe('Pushkey pushkey1 was rejected: removing');
    expect(red.redact(`Starting pusher @alice:example.com / im.vector.app.android:${fcm}`)).toBe(
      'Starting pusher @user1:example.com / im.vector.app.android:pushkey1',
    );
    expect(red.redact(`Pusher incorrectly configured id=3, user=@alice:example.com, appid=x, pushkey=${apns}: boom`)).toBe(
      'Pusher incorrectly configured id=3, user=@user1:example.com, appid=x, pushkey=pushkey2: boom',
    );
    expect(red.redact(`Removing pusher for app id x, pushkey c29tZWtleQ==, user @alice:example.com; ${apns.toUpperCase()}`)).toBe(
      'Removing pusher for app id x, pushkey pushkey3, user @user1:example.com; pushkey2',
    );
    expect(red.redact(`/_synapse/client/unsubscribe?access_token=a&app_id=x&pushkey=${fcm}`)).toBe(
      '/_synapse/client/unsubscribe?access_token=<redacted>&app_id=x&pushkey=pushkey1',
    );
    // 63 or 65 hex digits, or hex glued to a word, are something else
    const other = `${apns.slice(1)} ${apns}0 x${apns}`;
    expect(red.redact(other)).toBe(other);
  });

  it('media IDs: the same ID in mxc:// links, media paths, the media store and messages', () => {
    const red = r();
    const id = 'AbCdEfGhIjKlMnOpQrStUvWx';
    expect(red.redact(`{"url": "mxc://matrix.org/${id}", "msgtype": "m.image"} GET /_matrix/client/v1/media/download/matrix.org/${id}/cat%20pic.jpg`)).toBe(
      '{"url": "mxc://server1.example/media1", "msgtype": "m.image"} GET /_matrix/client/v1/media/download/server1.example/media1/file1.jpg',
    );
    expect(red.redact(`Stored remote media in file '/var/lib/synapse/media_store/remote_content/matrix.org/Ab/Cd/${id.slice(4)}'`)).toBe(
      "Stored remote media in file '/var/lib/synapse/media_store/remote_content/server1.example/media1'",
    );
    expect(red.redact(`Stored thumbnail in file '/data/media/local_thumbnails/Zz/Yy/XxWwVvUu/32-32-image-png-crop'`)).toBe(
      "Stored thumbnail in file '/data/media/local_thumbnails/media2/32-32-image-png-crop'",
    );
    expect(red.redact(`Media ${id} is unknown; Failed to fetch remote media matrix.org/${id}; media_id=${id} desired=32x32`)).toBe(
      'Media media1 is unknown; Failed to fetch remote media server1.example/media1; media_id=media1 desired=32x32',
    );
    expect(
      red.redact(`/_matrix/federation/v1/media/download/${id} /_synapse/admin/v1/media/quarantine/matrix.org/${id} /_synapse/admin/v1/media/protect/${id}`),
    ).toBe('/_matrix/federation/v1/media/download/media1 /_synapse/admin/v1/media/quarantine/server1.example/media1 /_synapse/admin/v1/media/protect/media1');
  });

  it('URLs inside query values: their host and an encoded mxc:// media ID', () => {
    expect(
      r().redact('?redirect_url=https%3A%2F%2Fapp.private-host.net%2Fpath&img=mxc%3A%2F%2Fmatrix.org%2FAbCdEfGhIjKlMnOp mxc://matrix.org/AbCdEfGhIjKlMnOp'),
    ).toBe('?redirect_url=https%3A%2F%2Fserver1.example%2Fpath&img=mxc%3A%2F%2Fserver2.example%2Fmedia1 mxc://server2.example/media1');
    // a name right after an escape is not glued to a word
    expect(r().redact('path=%2Fvar%2Fmatrix.org%2Fx')).toBe('path=%2Fvar%2Fserver1.example%2Fx');
  });

  it('media: near-misses stay (endpoints, words, admin verbs)', () => {
    const text =
      'GET /_matrix/media/v3/config /_matrix/media/v3/upload?x=1 POST /_synapse/admin/v1/media/example.com/delete?before_ts=1 ' +
      'Media has been automatically quarantined; media repository; Media is quarantined; synapse.rest.media.v1.media_repository';
    expect(r().redact(text)).toBe(text);
  });

  it('device IDs: query, paths, e2e and device-list lines, JSON', () => {
    const red = r();
    expect(red.redact('PUT /_matrix/client/v3/sendToDevice/m.x/1?user_id=%40bot%3Aexample.com&device_id=BOTDEVICE1 HTTP/1.1')).toBe(
      'PUT /_matrix/client/v3/sendToDevice/m.x/1?user_id=%40user1%3Aexample.com&device_id=device1 HTTP/1.1',
    );
    expect(red.redact('DELETE /_matrix/client/v3/devices/ABCDEFGHIJ POST /_matrix/client/r0/keys/upload/ABCDEFGHIJ')).toBe(
      'DELETE /_matrix/client/v3/devices/device2 POST /_matrix/client/r0/keys/upload/device2',
    );
    expect(red.redact('GET /_synapse/admin/v2/users/@alice:example.com/devices/ABCDEFGHIJ GET /_matrix/federation/v1/user/devices/@bob:matrix.org')).toBe(
      'GET /_synapse/admin/v2/users/@user2:example.com/devices/device2 GET /_matrix/federation/v1/user/devices/@user3:server1.example',
    );
    // handlers/e2e_keys.py, handlers/device.py
    expect(red.redact("Updating device_keys for device 'ABCDEFGHIJ' for user @alice:example.com at 5")).toBe(
      "Updating device_keys for device 'device2' for user @user2:example.com at 5",
    );
    expect(red.redact('Claimed one-time-keys: signed_curve25519:AAAAAQ for @alice:example.com:ABCDEFGHIJ')).toBe(
      'Claimed one-time-keys: signed_curve25519:AAAAAQ for @user2:example.com:device2',
    );
    expect(red.redact("Got device list update edu for '@alice:example.com'/'KLMNOPQRST' from 'matrix.org'")).toBe(
      "Got device list update edu for '@user2:example.com'/'device3' from 'server1.example'",
    );
    expect(red.redact("Deleting devices ['ABCDEFGHIJ', 'KLMNOPQRST'] for '@alice:example.com'")).toBe(
      "Deleting devices ['device2', 'device3'] for '@user2:example.com'",
    );
    expect(red.redact('{"device_id":"ABCDEFGHIJ","initial_device_display_name":"Alice\'s phone"}')).toBe(
      '{"device_id":"device2","initial_device_display_name":"<redacted>"}',
    );
  });

  it('device IDs: near-misses stay (ports, paths after a user, device words)', () => {
    const text =
      '@alice:example.com:8448 /_matrix/client/v3/profile/@bob:example.com/displayname /_matrix/client/v3/devices ' +
      'device_lists device list update for @bob:example.com: 3 devices; the device is new';
    expect(r().redact(text)).toBe(text.replace('@alice', '@user1').replace(/@bob/g, '@user2'));
  });

  it('uploaded file names: upload query, download path, Content-Disposition, upload_name', () => {
    const red = r();
    expect(red.redact('POST /_matrix/media/v3/upload?filename=Scan%20of%20passport.pdf HTTP/1.1')).toBe(
      'POST /_matrix/media/v3/upload?filename=file1.pdf HTTP/1.1',
    );
    expect(red.redact(`Content-Disposition: inline; filename="Scan of passport.pdf"; filename*=utf-8''Scan%20of%20passport.pdf`)).toBe(
      `Content-Disposition: inline; filename="file1.pdf"; filename*=utf-8''file1.pdf`,
    );
    expect(red.redact("{'upload_name': 'Scan of passport.pdf', 'media_type': 'application/pdf'}")).toBe(
      "{'upload_name': 'file1.pdf', 'media_type': 'application/pdf'}",
    );
  });

  it("the admin's user name in home directories (Linux, macOS, Windows, JSON-escaped)", () => {
    const red = r();
    expect(red.redact('  File "/home/jdoe/synapse/env/lib/python3.11/site-packages/synapse/handlers/room.py", line 77, in get_state')).toBe(
      '  File "/home/someone1/synapse/env/lib/python3.11/site-packages/synapse/handlers/room.py", line 77, in get_state',
    );
    expect(red.redact('/Users/jdoe/matrix/homeserver.yaml /var/home/jdoe/x C:\\Users\\jdoe\\synapse {"log":"C:\\\\Users\\\\jdoe\\\\x"}')).toBe(
      '/Users/someone1/matrix/homeserver.yaml /var/home/someone1/x C:\\Users\\someone1\\synapse {"log":"C:\\\\Users\\\\someone1\\\\x"}',
    );
    // a URL path or a Matrix endpoint is no home directory
    const text = 'https://example.com/home/index.html /_synapse/admin/v2/users/x /opt/venvs/matrix-synapse/lib';
    expect(red.redact(text)).toBe(text);
  });

  it('lists the new kinds in the redaction map', () => {
    const red = r();
    red.redact('+44 7700 900123 device_id=DEV1CE mxc://example.com/AbCdEfGhIjKlMnOp pushkey=pk1 filename=a.png /home/jdoe/x');
    const m = red.mapping();
    expect(m.get('447700900123')).toBe('phone1');
    expect(m.get('DEV1CE')).toBe('device1');
    expect(m.get('AbCdEfGhIjKlMnOp')).toBe('media1');
    expect(m.get('pk1')).toBe('pushkey1');
    expect(m.get('a.png')).toBe('file1.png');
    expect(m.get('jdoe')).toBe('someone1');
  });
});

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyEndpoint, safeDecode, type Endpoint } from '../../src/analyze/endpoints.js';
import { mulberry32 } from '../helpers/prng.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOGS = ['homeserver-info.log', 'homeserver-debug.log'].map((f) => join(ROOT, 'fixtures', 'logs', f));

/** Every `Processed request` (method, uri) in the sample logs, in order. */
function sampleRequests(): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  const re = /Processed request: .*?"(\S+) (\S+) HTTP\/[\d.]+"/;
  for (const file of LOGS) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = re.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) out.push([m[1], m[2]]);
    }
  }
  return out;
}

const isUnknown = (e: Endpoint): boolean => e.servlet === e.route;

/**
 * Independent reference: Synapse's own PATTERNS for the servlets the samples hit (regexes on
 * the raw path, as Synapse's JsonResource matches them), first match wins.
 */
const C = '^/_matrix/client/(?:api/v1|r0|v3|unstable)';
const REFERENCE: ReadonlyArray<readonly [string, RegExp, string]> = [
  ['GET', new RegExp(`${C}/sync$`), 'SyncRestServlet'],
  ['PUT', new RegExp(`${C}/rooms/[^/]*/send/[^/]*/[^/]*$`), 'RoomSendEventRestServlet'],
  ['PUT', new RegExp(`${C}/rooms/[^/]*/typing/[^/]*$`), 'RoomTypingRestServlet'],
  ['POST', new RegExp(`${C}/rooms/[^/]*/receipt/[^/]*/[^/]*$`), 'ReceiptRestServlet'],
  ['POST', new RegExp(`${C}/rooms/[^/]*/read_markers$`), 'ReadMarkerRestServlet'],
  ['GET', new RegExp(`${C}/rooms/[^/]*/messages$`), 'RoomMessageListRestServlet'],
  ['GET', new RegExp(`${C}/rooms/[^/]*/joined_members$`), 'JoinedRoomMemberListRestServlet'],
  ['GET', new RegExp(`${C}/rooms/[^/]*/state$`), 'RoomStateRestServlet'],
  ['POST', new RegExp(`${C}/rooms/[^/]*/(?:join|invite|leave|ban|unban|kick)$`), 'RoomMembershipRestServlet'],
  ['GET', new RegExp(`${C}/profile/[^/]*$`), 'ProfileRestServlet'],
  ['PUT', new RegExp(`${C}/profile/[^/]*/(?:displayname|avatar_url)$`), 'ProfileFieldRestServlet'],
  ['GET', new RegExp(`${C}/pushrules/.*$`), 'PushRuleRestServlet'],
  ['GET', new RegExp(`${C}/account/whoami$`), 'WhoamiRestServlet'],
  ['POST', new RegExp(`${C}/keys/query$`), 'KeyQueryServlet'],
  ['POST', new RegExp(`${C}/keys/upload$`), 'KeyUploadServlet'],
  ['POST', new RegExp(`${C}/keys/claim$`), 'OneTimeKeyServlet'],
  ['GET', new RegExp(`${C}/joined_rooms$`), 'JoinedRoomsRestServlet'],
  ['POST', new RegExp(`${C}/register$`), 'RegisterRestServlet'],
  ['GET', new RegExp(`${C}/login$`), 'LoginRestServlet'],
  ['POST', new RegExp(`${C}/login$`), 'LoginRestServlet'],
  ['POST', new RegExp(`${C}/join/[^/]*$`), 'JoinRoomAliasServlet'],
  ['POST', new RegExp(`${C}/createRoom$`), 'RoomCreateRestServlet'],
  ['GET', new RegExp(`${C}/directory/room/[^/]*$`), 'ClientDirectoryServer'],
  ['GET', new RegExp(`${C}/publicRooms$`), 'PublicRoomListRestServlet'],
  ['GET', /^\/_matrix\/client\/versions$/, 'VersionsRestServlet'],
  ['POST', /^\/_matrix\/media\/(?:r0|v1|v3)\/upload$/, 'UploadServlet'],
  ['GET', /^\/_matrix\/media\/(?:r0|v1|v3)\/download\/[^/]*\/[^/]*(?:\/[^/]*)?$/, 'DownloadResource'],
  ['GET', /^\/_matrix\/media\/(?:r0|v1|v3)\/thumbnail\/[^/]*\/[^/]*$/, 'ThumbnailResource'],
  ['GET', /^\/_matrix\/media\/(?:r0|v1|v3)\/config$/, 'MediaConfigResource'],
  ['GET', /^\/_matrix\/key\/v2\/server(?:\/[^/]*)?$/, 'LocalKey'],
  ['GET', /^\/_matrix\/federation\/v1\/version$/, 'FederationVersionServlet'],
  ['GET', /^\/health$/, 'HealthResource'],
  // Synapse's root OptionsResource answers every OPTIONS.
  ['OPTIONS', /^\//, 'OptionsResource'],
];

/** The samples' error batches hit these on purpose; they must fall back to a shape. */
const DELIBERATELY_UNKNOWN = new Map<string, string>([
  ['GET /_matrix/client/v3/this/endpoint/does/not/exist', 'GET /_matrix/client/*/this/endpoint/does/not/exist'],
  ['DELETE /_matrix/client/versions', 'DELETE /_matrix/client/versions'],
  ['PUT /_matrix/client/v3/account/whoami', 'PUT /_matrix/client/*/account/whoami'],
  ['GET /favicon.ico', 'GET /favicon.ico'],
]);

function referenceServlet(method: string, path: string): string | undefined {
  for (const [m, re, servlet] of REFERENCE) if (m === method && re.test(path)) return servlet;
  return undefined;
}

describe('classifyEndpoint on the sample logs', () => {
  const requests = sampleRequests();
  const distinct = [...new Set(requests.map(([m, u]) => `${m} ${u}`))].map((k) => {
    const sp = k.indexOf(' ');
    return [k.slice(0, sp), k.slice(sp + 1)] as const;
  });

  it('finds the requests', () => {
    expect(requests.length).toBeGreaterThan(9000);
    expect(distinct.length).toBeGreaterThan(4000);
  });

  it('maps every distinct request to the servlet Synapse would use', () => {
    const seenUnknown = new Set<string>();
    const wrong: string[] = [];
    for (const [method, uri] of distinct) {
      const path = uri.split('?')[0] ?? uri;
      const e = classifyEndpoint(method, uri);
      const expected = referenceServlet(method, path);
      if (expected !== undefined) {
        if (e.servlet !== expected || isUnknown(e)) wrong.push(`${method} ${uri} -> ${e.servlet} (want ${expected})`);
        continue;
      }
      const shape = DELIBERATELY_UNKNOWN.get(`${method} ${path}`);
      if (shape === undefined) {
        wrong.push(`${method} ${uri}: not in the reference table`);
      } else {
        seenUnknown.add(`${method} ${path}`);
        if (!isUnknown(e) || e.servlet !== shape) wrong.push(`${method} ${uri} -> ${e.servlet} (want shape ${shape})`);
      }
    }
    expect(wrong).toEqual([]);
    // The deliberate unknowns are really in the samples, so the fallback was exercised.
    expect([...seenUnknown].sort()).toEqual([...DELIBERATELY_UNKNOWN.keys()].sort());
  });

  it('keeps the endpoint count small while raw paths are many', () => {
    const servlets = new Set<string>();
    const routes = new Set<string>();
    const paths = new Set<string>();
    for (const [method, uri] of requests) {
      const e = classifyEndpoint(method, uri);
      servlets.add(e.servlet);
      routes.add(e.route);
      paths.add(uri.split('?')[0] ?? uri);
    }
    expect(paths.size).toBeGreaterThan(2500);
    expect(servlets.size).toBeLessThanOrEqual(60);
    expect(routes.size).toBeLessThanOrEqual(60);
  });

  it('marks only sync as long-poll in the samples, with its timeout', () => {
    for (const [method, uri] of requests) {
      const e = classifyEndpoint(method, uri);
      expect(e.longPoll).toBe(e.servlet === 'SyncRestServlet');
      const m = /[?&]timeout=(\d+)(?:&|$)/.exec(uri);
      expect(e.timeoutMs).toBe(m?.[1] === undefined ? null : Number(m[1]));
    }
  });
});

describe('classifyEndpoint across areas', () => {
  const table: ReadonlyArray<readonly [string, string, string, Endpoint['area']]> = [
    // client
    ['GET', '/_matrix/client/v3/rooms/!r:x/event/$e', 'RoomEventServlet', 'client'],
    ['GET', '/_matrix/client/v3/rooms/!r:x/context/$e?limit=10', 'RoomEventContextServlet', 'client'],
    ['GET', '/_matrix/client/v3/rooms/!r:x/state/m.room.power_levels/', 'RoomStateEventRestServlet', 'client'],
    ['PUT', '/_matrix/client/v3/rooms/!r:x/redact/$e/txn1', 'RoomRedactEventRestServlet', 'client'],
    ['POST', '/_matrix/client/v3/rooms/!r:x/leave', 'RoomMembershipRestServlet', 'client'],
    ['GET', '/_matrix/client/v1/rooms/!r:x/relations/$e/m.thread', 'RelationPaginationServlet', 'client'],
    ['GET', '/_matrix/client/v1/rooms/!r:x/hierarchy', 'RoomHierarchyRestServlet', 'client'],
    ['PUT', '/_matrix/client/v3/sendToDevice/m.room.encrypted/txn42', 'SendToDeviceRestServlet', 'client'],
    ['GET', '/_matrix/client/v3/user/@u:x/filter/12', 'GetFilterRestServlet', 'client'],
    ['POST', '/_matrix/client/v3/user/@u:x/filter', 'CreateFilterRestServlet', 'client'],
    ['PUT', '/_matrix/client/v3/user/@u:x/account_data/m.direct', 'AccountDataServlet', 'client'],
    ['PUT', '/_matrix/client/v3/user/@u:x/rooms/!r:x/account_data/m.fully_read', 'RoomAccountDataServlet', 'client'],
    ['PUT', '/_matrix/client/v3/user/@u:x/rooms/!r:x/tags/m.favourite', 'TagServlet', 'client'],
    ['GET', '/_matrix/client/v3/devices', 'DevicesRestServlet', 'client'],
    ['DELETE', '/_matrix/client/v3/devices/ABCDEFGHIJ', 'DeviceRestServlet', 'client'],
    ['GET', '/_matrix/client/v3/keys/changes?from=s1&to=s2', 'KeyChangesServlet', 'client'],
    ['PUT', '/_matrix/client/v3/room_keys/keys?version=3', 'RoomKeysServlet', 'client'],
    ['GET', '/_matrix/client/v3/room_keys/version', 'RoomKeysVersionServlet', 'client'],
    ['POST', '/_matrix/client/v3/room_keys/version', 'RoomKeysNewVersionServlet', 'client'],
    ['GET', '/_matrix/client/v3/presence/@u:x/status', 'PresenceStatusRestServlet', 'client'],
    ['GET', '/_matrix/client/v3/capabilities', 'CapabilitiesRestServlet', 'client'],
    ['GET', '/_matrix/client/v3/voip/turnServer', 'VoipRestServlet', 'client'],
    ['POST', '/_matrix/client/v3/user_directory/search', 'UserDirectorySearchRestServlet', 'client'],
    ['GET', '/_matrix/client/v3/notifications?limit=20', 'NotificationsServlet', 'client'],
    ['POST', '/_matrix/client/v3/pushers/set', 'PushersSetRestServlet', 'client'],
    ['PUT', '/_matrix/client/v3/pushrules/global/override/.m.rule.master/enabled', 'PushRuleRestServlet', 'client'],
    ['POST', '/_matrix/client/v3/logout/all', 'LogoutAllRestServlet', 'client'],
    ['GET', '/_matrix/client/v3/login/sso/redirect/oidc-github?redirectUrl=x', 'SsoRedirectServlet', 'client'],
    ['POST', '/_matrix/client/v3/search?next_batch=abc', 'SearchRestServlet', 'client'],
    ['GET', '/_matrix/client/r0/initialSync', 'InitialSyncRestServlet', 'client'],
    ['POST', '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync?timeout=30000', 'SlidingSyncRestServlet', 'client'],
    ['POST', '/_matrix/client/unstable/org.matrix.msc3575/sync', 'SlidingSyncRestServlet', 'client'],
    ['GET', '/_matrix/client/unstable/org.matrix.msc2432/rooms/!r:x/aliases', 'RoomAliasListServlet', 'client'],
    ['POST', '/_matrix/client/unstable/org.matrix.msc3983/keys/claim', 'UnstableOneTimeKeyServlet', 'client'],
    ['GET', '/_synapse/client/pick_idp?idp=oidc', 'PickIdpResource', 'client'],
    ['GET', '/_synapse/client/oidc/callback?code=x&state=y', 'OIDCCallbackResource', 'client'],
    ['OPTIONS', '/_matrix/client/v3/rooms/!r:x/send/m.room.message/t1', 'OptionsResource', 'client'],
    // federation
    ['PUT', '/_matrix/federation/v1/send/1700000000000', 'FederationSendServlet', 'federation'],
    ['PUT', '/_matrix/federation/v1/send/1700000000000/', 'FederationSendServlet', 'federation'],
    ['GET', '/_matrix/federation/v1/make_join/!r:x/@u:y?ver=1&ver=10', 'FederationMakeJoinServlet', 'federation'],
    ['PUT', '/_matrix/federation/v2/send_join/!r:x/$e?omit_members=true', 'FederationV2SendJoinServlet', 'federation'],
    ['PUT', '/_matrix/federation/v1/send_join/!r:x/$e', 'FederationV1SendJoinServlet', 'federation'],
    ['PUT', '/_matrix/federation/v2/invite/!r:x/$e', 'FederationV2InviteServlet', 'federation'],
    ['GET', '/_matrix/federation/v1/backfill/!r:x?v=$e&limit=100', 'FederationBackfillServlet', 'federation'],
    ['GET', '/_matrix/federation/v1/state_ids/!r:x?event_id=$e', 'FederationStateIdsServlet', 'federation'],
    ['POST', '/_matrix/federation/v1/get_missing_events/!r:x', 'FederationGetMissingEventsServlet', 'federation'],
    ['POST', '/_matrix/federation/v1/user/keys/query', 'FederationClientKeysQueryServlet', 'federation'],
    ['GET', '/_matrix/federation/v1/user/devices/@u:x', 'FederationUserDevicesQueryServlet', 'federation'],
    ['GET', '/_matrix/federation/v1/query/profile?user_id=@u:x', 'FederationQueryServlet', 'federation'],
    ['GET', '/_matrix/federation/v1/event/$e', 'FederationEventServlet', 'federation'],
    ['GET', '/_matrix/federation/v1/publicRooms', 'PublicRoomList', 'federation'],
    ['GET', '/_matrix/federation/v1/openid/userinfo?access_token=x', 'OpenIdUserInfo', 'federation'],
    ['GET', '/_matrix/federation/v1/media/download/abcDEF', 'FederationMediaDownloadServlet', 'federation'],
    // media
    ['GET', '/_matrix/media/v3/download/x.org/abcDEF123/file%20name.png', 'DownloadResource', 'media'],
    ['GET', '/_matrix/media/r0/thumbnail/x.org/abcDEF123?width=32&height=32', 'ThumbnailResource', 'media'],
    ['GET', '/_matrix/media/v3/preview_url?url=https%3A%2F%2Fexample.org', 'PreviewUrlResource', 'media'],
    ['POST', '/_matrix/media/v1/create', 'CreateResource', 'media'],
    ['PUT', '/_matrix/media/v3/upload/x.org/abcDEF123', 'AsyncUploadServlet', 'media'],
    ['GET', '/_matrix/client/v1/media/download/x.org/abcDEF123', 'DownloadResource', 'media'],
    ['GET', '/_matrix/client/v1/media/thumbnail/x.org/abcDEF123?width=1&height=1', 'ThumbnailResource', 'media'],
    ['GET', '/_matrix/client/v1/media/config', 'MediaConfigResource', 'media'],
    // key
    ['GET', '/_matrix/key/v2/server/ed25519:a_abcd', 'LocalKey', 'key'],
    ['POST', '/_matrix/key/v2/query', 'RemoteKey', 'key'],
    ['GET', '/_matrix/key/v2/query/matrix.org', 'RemoteKey', 'key'],
    // admin
    ['GET', '/_synapse/admin/v2/users?from=0&limit=10', 'UsersRestServletV2', 'admin'],
    ['PUT', '/_synapse/admin/v2/users/%40u%3Ax', 'UserRestServletV2', 'admin'],
    ['GET', '/_synapse/admin/v1/rooms?order_by=size', 'ListRoomRestServlet', 'admin'],
    ['DELETE', '/_synapse/admin/v1/rooms/!r:x', 'RoomRestServlet', 'admin'],
    ['DELETE', '/_synapse/admin/v2/rooms/!r:x', 'RoomRestV2Servlet', 'admin'],
    ['GET', '/_synapse/admin/v1/server_version', 'VersionServlet', 'admin'],
    ['POST', '/_synapse/admin/v1/purge_history/!r:x/$e', 'PurgeHistoryRestServlet', 'admin'],
    ['GET', '/_synapse/admin/v1/whois/@u:x', 'WhoisRestServlet', 'admin'],
    ['GET', '/_matrix/client/r0/admin/whois/@u:x', 'WhoisRestServlet', 'admin'],
    ['GET', '/_synapse/admin/v1/media/x.org/abcDEF', 'QueryMediaById', 'admin'],
    ['DELETE', '/_synapse/admin/v1/media/x.org/abcDEF', 'DeleteMediaByID', 'admin'],
    ['POST', '/_synapse/admin/v1/media/x.org/delete?before_ts=1', 'DeleteMediaByDateSize', 'admin'],
    ['POST', '/_synapse/admin/v1/media/quarantine/x.org/abcDEF', 'QuarantineMediaByID', 'admin'],
    ['GET', '/_synapse/admin/v2/users/@u:x/devices/ABCDEF', 'DeviceRestServlet', 'admin'],
    ['GET', '/_synapse/admin/v1/background_updates/status', 'BackgroundUpdateRestServlet', 'admin'],
    // replication
    ['POST', '/_synapse/replication/fed_send_events/AbCdEfGh', 'ReplicationFederationSendEventsRestServlet', 'replication'],
    ['POST', '/_synapse/replication/send_events/XyZ', 'ReplicationSendEventsRestServlet', 'replication'],
    ['POST', '/_synapse/replication/remote_join/!r:x/@u:x/txn', 'ReplicationRemoteJoinRestServlet', 'replication'],
    ['POST', '/_synapse/replication/presence_set_state/@u:x', 'ReplicationPresenceSetState', 'replication'],
    ['GET', '/_synapse/replication/get_repl_stream_updates/typing?from_token=1', 'ReplicationGetStreamUpdates', 'replication'],
    ['POST', '/_synapse/replication/some_future_endpoint/abc', 'replication:some_future_endpoint', 'replication'],
    // the rest
    ['GET', '/.well-known/matrix/client', 'ClientWellKnownResource', 'well-known'],
    ['GET', '/.well-known/matrix/server', 'ServerWellKnownResource', 'well-known'],
    ['GET', '/_synapse/metrics', 'MetricsResource', 'metrics'],
    ['GET', '/metrics', 'MetricsResource', 'metrics'],
    ['GET', '/health', 'HealthResource', 'health'],
    ['HEAD', '/health', 'HealthResource', 'health'],
  ];

  it.each(table)('%s %s → %s', (method, uri, servlet, area) => {
    const e = classifyEndpoint(method, uri);
    expect(e.servlet).toBe(servlet);
    expect(e.area).toBe(area);
    expect(e.route.startsWith(`${method} /`)).toBe(true);
  });

  it('gives routes with placeholders', () => {
    expect(classifyEndpoint('PUT', '/_matrix/client/r0/rooms/%21a%3Ax/send/m.room.message/t9').route).toBe(
      'PUT /_matrix/client/*/rooms/{roomId}/send/{eventType}/{txnId}',
    );
    expect(classifyEndpoint('PUT', '/_matrix/federation/v1/send/123').route).toBe('PUT /_matrix/federation/v1/send/{txnId}');
    expect(classifyEndpoint('GET', '/_matrix/media/r0/download/x/y').route).toBe('GET /_matrix/media/*/download/{serverName}/{mediaId}');
    expect(classifyEndpoint('POST', '/_synapse/replication/fed_send_edu/m.typing/txn').route).toBe('POST /_synapse/replication/fed_send_edu/{arg}/{arg}');
  });
});

describe('normalisation', () => {
  const same = (uris: readonly string[], method = 'GET'): Endpoint[] => {
    const es = uris.map((u) => classifyEndpoint(method, u));
    for (const e of es) {
      expect(e.servlet).toBe(es[0]?.servlet);
      expect(e.route).toBe(es[0]?.route);
      expect(isUnknown(e)).toBe(false);
    }
    return es;
  };

  it('collapses r0 / v3 / unstable / api/v1 / v2_alpha / v1', () => {
    same(['r0', 'v3', 'unstable', 'api/v1'].map((v) => `/_matrix/client/${v}/rooms/!r:x/messages?dir=b`));
    same(['r0', 'v3', 'unstable', 'v2_alpha'].map((v) => `/_matrix/client/${v}/sync`));
    same(['r0', 'v3', 'unstable', 'api/v1'].map((v) => `/_matrix/client/${v}/profile/@u:x`));
    same(
      ['r0', 'v3', 'v2_alpha'].map((v) => `/_matrix/client/${v}/keys/upload`),
      'POST',
    );
    same(['r0', 'v1', 'v3'].map((v) => `/_matrix/media/${v}/download/x.org/abc`));
    expect(classifyEndpoint('GET', '/_matrix/client/unstable/org.matrix.msc3575/sync').servlet).toBe('SlidingSyncRestServlet');
  });

  it('treats percent-encoded and raw IDs alike', () => {
    same(
      [
        '/_matrix/client/v3/rooms/%21abc%3Ax.org/send/m.room.message/t1',
        '/_matrix/client/v3/rooms/!abc:x.org/send/m.room.message/t2',
        '/_matrix/client/v3/rooms/%21ABC%3ax.org/send/com.example.custom/t3',
      ],
      'PUT',
    );
    same(
      [
        '/_matrix/client/v3/rooms/%21a%3Ax/receipt/m.read/%24EvT-abc_123',
        '/_matrix/client/v3/rooms/!a:x/receipt/m.read/$EvT-abc_123',
        '/_matrix/client/v3/rooms/!a:x/receipt/m.read.private/$other',
      ],
      'POST',
    );
    same(['/_matrix/client/v3/rooms/!a:x/typing/%40bob%3Ax', '/_matrix/client/v3/rooms/!a:x/typing/@bob:x'], 'PUT');
    same(['/_matrix/client/v3/join/%23general%3Ax', '/_matrix/client/v3/join/%21room%3Ax', '/_matrix/client/v3/join/!r:x'], 'POST');
    // An encoded slash stays inside its segment, as in Synapse's `[^/]*` match.
    same(['/_matrix/client/v3/rooms/!a:x/state/m.room.member/%40u%2Fx%3Ay'], 'PUT');
  });

  it('never throws on malformed percent-encoding', () => {
    for (const uri of ['%', '/%', '/_matrix/client/v3/rooms/%ZZ/messages', '/_matrix/client/v3/%E0%A4%A/x', '/%%%/%2', '/_matrix/%']) {
      expect(() => classifyEndpoint('GET', uri)).not.toThrow();
    }
    expect(classifyEndpoint('GET', '/_matrix/client/v3/rooms/%ZZ%2/messages').servlet).toBe('RoomMessageListRestServlet');
    expect(safeDecode('%21abc%3Ax.org')).toBe('!abc:x.org');
    expect(safeDecode('%ZZ%21%E0%A4')).toBe('%ZZ!%E0%A4');
  });

  it('strips the query and tolerates trailing ? and /', () => {
    same([
      '/_matrix/client/v3/sync',
      '/_matrix/client/v3/sync?',
      '/_matrix/client/v3/sync/',
      '/_matrix/client/v3/sync//?timeout=1',
      'https://matrix.example.org/_matrix/client/v3/sync?since=s1',
    ]);
    same(['/_matrix/client/v3/pushrules/', '/_matrix/client/v3/pushrules']);
  });

  it('accepts lower-case methods and maps HEAD to the GET servlet', () => {
    expect(classifyEndpoint('get', '/_matrix/client/v3/sync').route).toBe('GET /_matrix/client/*/sync');
    const head = classifyEndpoint('HEAD', '/_matrix/media/v3/download/x/y');
    expect(head.servlet).toBe('DownloadResource');
    expect(head.route).toBe('HEAD /_matrix/media/*/download/{serverName}/{mediaId}');
  });

  it('lets the method choose the servlet, and an unserved method fall back', () => {
    const get = classifyEndpoint('GET', '/_matrix/client/v3/rooms/!r:x/state/m.room.name/');
    const put = classifyEndpoint('PUT', '/_matrix/client/v3/rooms/!r:x/state/m.room.name/');
    // Synapse serves both with RoomStateEventRestServlet; the routes keep them apart.
    expect(get.servlet).toBe('RoomStateEventRestServlet');
    expect(put.servlet).toBe('RoomStateEventRestServlet');
    expect(get.route).not.toBe(put.route);
    expect(classifyEndpoint('GET', '/_synapse/admin/v1/media/x/y').servlet).toBe('QueryMediaById');
    expect(classifyEndpoint('DELETE', '/_synapse/admin/v1/media/x/y').servlet).toBe('DeleteMediaByID');
    const wrong = classifyEndpoint('DELETE', '/_matrix/client/v3/sync');
    expect(isUnknown(wrong)).toBe(true);
    expect(wrong.servlet).toBe('DELETE /_matrix/client/*/sync');
  });
});

describe('timeoutMs and longPoll', () => {
  const cases: ReadonlyArray<readonly [string, string, number | null, boolean]> = [
    ['GET', '/_matrix/client/v3/sync?timeout=30000', 30000, true],
    ['GET', '/_matrix/client/v3/sync?since=s1_2_3&timeout=0&full_state=false', 0, true],
    ['GET', '/_matrix/client/v3/sync?timeout=notanumber', null, true],
    ['GET', '/_matrix/client/v3/sync?timeout=', null, true],
    ['GET', '/_matrix/client/v3/sync?timeout=-1', null, true],
    ['GET', '/_matrix/client/v3/sync', null, true],
    ['GET', '/_matrix/client/r0/events?from=s1&timeout=20000', 20000, true],
    ['GET', '/_matrix/client/api/v1/events?timeout=5000', 5000, true],
    ['POST', '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync?pos=1&timeout=25000', 25000, true],
    // keys/query and keys/claim wait on remote servers, not for new data: not long-polls.
    ['POST', '/_matrix/client/v3/keys/query?timeout=10000', 10000, false],
    ['POST', '/_matrix/client/v3/keys/claim?timeout=10000', 10000, false],
    ['GET', '/_matrix/client/v1/media/download/x/y?timeout_ms=20000', null, false],
    ['GET', '/_matrix/client/v3/rooms/!r:x/messages?xtimeout=5', null, false],
  ];

  it.each(cases)('%s %s', (method, uri, timeoutMs, longPoll) => {
    const e = classifyEndpoint(method, uri);
    expect(e.timeoutMs).toBe(timeoutMs);
    expect(e.longPoll).toBe(longPoll);
  });

  it('does not leak a timeout into the memoised endpoint', () => {
    expect(classifyEndpoint('GET', '/_matrix/client/v3/sync?timeout=7').timeoutMs).toBe(7);
    expect(classifyEndpoint('GET', '/_matrix/client/v3/sync').timeoutMs).toBeNull();
  });

  it('answers each call with its own timeout while the path is memoised (kept after its second miss)', () => {
    const path = '/_matrix/client/v3/rooms/!memo:example.org/messages';
    const asked = [7, 7, 7, 8, null, 8, 7, null, 0];
    const got = asked.map((t) => classifyEndpoint('GET', t === null ? path : `${path}?from=x&timeout=${t}`));
    expect(got.map((e) => e.timeoutMs)).toEqual(asked);
    expect(new Set(got.map((e) => e.servlet))).toEqual(new Set(['RoomMessageListRestServlet']));
  });
});

describe('unknown paths', () => {
  it('fall back to a shape with the version collapsed and IDs replaced', () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ['GET', '/_matrix/client/v3/unknown_thing', 'GET /_matrix/client/*/unknown_thing'],
      ['GET', '/_matrix/client/r0/foo/12345?x=1', 'GET /_matrix/client/*/foo/{id}'],
      [
        'PUT',
        '/_matrix/client/unstable/org.example.new/rooms/%21r%3Ax/thing/%24ev/m1700000000000.3',
        'PUT /_matrix/client/*/org.example.new/rooms/{id}/thing/{id}/{id}',
      ],
      ['GET', '/_matrix/client/api/v1/nope/@u:x', 'GET /_matrix/client/*/nope/{id}'],
      ['GET', '/_matrix/federation/v1/nope/!r:x/ABCDEFGHIJKLMNOP', 'GET /_matrix/federation/*/nope/{id}/{id}'],
      ['GET', '/_synapse/admin/v1/nope/s95_15_20_15_8_1_1_31_0', 'GET /_synapse/admin/*/nope/{id}'],
      ['GET', '/wp-login.php', 'GET /wp-login.php'],
      ['GET', '/', 'GET /'],
    ];
    for (const [method, uri, shape] of cases) {
      const e = classifyEndpoint(method, uri);
      expect(e.servlet).toBe(shape);
      expect(e.route).toBe(shape);
      expect(e.longPoll).toBe(false);
    }
    expect(classifyEndpoint('GET', '/_matrix/client/v3/unknown_thing').area).toBe('client');
    expect(classifyEndpoint('GET', '/favicon.ico').area).toBe('other');
    // OPTIONS is still answered by Synapse's OptionsResource.
    expect(classifyEndpoint('OPTIONS', '/_matrix/client/v3/unknown_thing').servlet).toBe('OptionsResource');
  });

  it('cap very deep paths', () => {
    const deep = `/${Array.from({ length: 40 }, (_, i) => `seg${i}x`).join('/')}`;
    expect(classifyEndpoint('GET', deep).servlet.endsWith('/…')).toBe(true);
  });
});

describe('cardinality on synthetic traffic', () => {
  const rand = mulberry32(42);
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const B64 = `${ALNUM}-_`;
  const str = (n: number, alphabet = ALNUM): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)] ?? 'a';
    return s;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const server = (): string => pick(['matrix.org', 'example.com', `hs${Math.floor(rand() * 1000)}.net`, 'x.y:8448']);
  const enc = (sigil: string, body: string): string => (rand() < 0.5 ? `${sigil}${body}` : `${encodeURIComponent(sigil)}${encodeURIComponent(body)}`);
  const room = (): string => enc('!', `${str(18)}:${server()}`);
  const user = (): string => enc('@', `${str(6).toLowerCase()}:${server()}`);
  const event = (): string => enc('$', str(43, B64));
  const alias = (): string => enc('#', `${str(8).toLowerCase()}:${server()}`);
  const txn = (): string => pick([`m${Date.now()}.${Math.floor(rand() * 100)}`, str(12), `${Math.floor(rand() * 1e6)}`]);
  const since = (): string => `s${Math.floor(rand() * 1e6)}_${Math.floor(rand() * 100)}_${Math.floor(rand() * 10)}_1_1_1_1_31_0`;
  const media = (): string => str(24);
  const evType = (): string => pick(['m.room.message', 'm.reaction', 'm.room.encrypted', `com.example.t${Math.floor(rand() * 500)}`]);
  const version = (): string => pick(['r0', 'v3', 'unstable']);

  // One (method, URI template) per route kind.
  const KINDS: ReadonlyArray<() => readonly [string, string]> = [
    () => ['GET', `/_matrix/client/${version()}/sync?timeout=30000&since=${since()}&filter=${Math.floor(rand() * 50)}`],
    () => ['PUT', `/_matrix/client/${version()}/rooms/${room()}/send/${evType()}/${txn()}`],
    () => ['PUT', `/_matrix/client/${version()}/rooms/${room()}/typing/${user()}`],
    () => ['POST', `/_matrix/client/${version()}/rooms/${room()}/receipt/m.read/${event()}`],
    () => ['POST', `/_matrix/client/${version()}/rooms/${room()}/read_markers`],
    () => ['GET', `/_matrix/client/${version()}/rooms/${room()}/messages?dir=b&from=t${Math.floor(rand() * 1e5)}-1&limit=20`],
    () => ['GET', `/_matrix/client/${version()}/rooms/${room()}/state/m.room.member/${user()}`],
    () => ['PUT', `/_matrix/client/${version()}/rooms/${room()}/state/${evType()}/${str(4)}`],
    () => ['GET', `/_matrix/client/${version()}/rooms/${room()}/event/${event()}`],
    () => ['GET', `/_matrix/client/${version()}/rooms/${room()}/context/${event()}?limit=10`],
    () => ['GET', `/_matrix/client/${version()}/profile/${user()}`],
    () => ['POST', `/_matrix/client/${version()}/join/${rand() < 0.5 ? alias() : room()}`],
    () => ['GET', `/_matrix/client/${version()}/directory/room/${alias()}`],
    () => ['GET', `/_matrix/client/${version()}/user/${user()}/filter/${Math.floor(rand() * 1000)}`],
    () => ['PUT', `/_matrix/client/${version()}/sendToDevice/m.room.encrypted/${txn()}`],
    () => ['DELETE', `/_matrix/client/${version()}/devices/${str(10).toUpperCase()}`],
    () => ['POST', `/_matrix/client/${version()}/keys/query?timeout=10000`],
    () => ['PUT', `/_matrix/client/${version()}/user/${user()}/rooms/${room()}/account_data/m.fully_read`],
    () => ['GET', `/_matrix/media/${pick(['r0', 'v3', 'v1'])}/download/${server()}/${media()}`],
    () => ['GET', `/_matrix/media/${pick(['r0', 'v3'])}/thumbnail/${server()}/${media()}?width=96&height=96&method=crop`],
    () => ['GET', `/_matrix/client/v1/media/download/${server()}/${media()}/${str(6)}.png`],
    () => ['PUT', `/_matrix/federation/v1/send/${Date.now()}${Math.floor(rand() * 1e4)}`],
    () => ['GET', `/_matrix/federation/v1/make_join/${room()}/${user()}?ver=10`],
    () => ['PUT', `/_matrix/federation/v2/send_join/${room()}/${event()}`],
    () => ['GET', `/_matrix/federation/v1/backfill/${room()}?v=${event()}&limit=100`],
    () => ['GET', `/_matrix/federation/v1/user/devices/${user()}`],
    () => ['GET', `/_matrix/key/v2/query/${server()}`],
    () => ['GET', `/_synapse/admin/v2/users/${user()}`],
    () => ['POST', `/_synapse/replication/fed_send_events/${str(10)}`],
    () => ['OPTIONS', `/_matrix/client/${version()}/rooms/${room()}/send/${evType()}/${txn()}`],
  ];

  it('stays within the number of route kinds over 100k requests', () => {
    const servlets = new Set<string>();
    const routes = new Set<string>();
    const raw = new Set<string>();
    let unknown = 0;
    for (let i = 0; i < 100_000; i++) {
      const [method, uri] = pick(KINDS)();
      raw.add(`${method} ${uri}`);
      const e = classifyEndpoint(method, uri);
      servlets.add(e.servlet);
      routes.add(e.route);
      if (isUnknown(e)) unknown++;
    }
    expect(unknown).toBe(0);
    expect(raw.size).toBeGreaterThan(90_000);
    expect(servlets.size).toBeLessThanOrEqual(KINDS.length);
    expect(routes.size).toBeLessThanOrEqual(KINDS.length);
  });

  it('keeps unknown-path shapes few when only IDs vary', () => {
    // Transaction IDs as clients make them: Element's m<ts>.<n>, UUIDs, long random, numeric.
    // (Short random tokens, under ~10 characters, can look like words and are not covered.)
    const clientTxn = (): string =>
      pick([
        `m${1_700_000_000_000 + Math.floor(rand() * 1e9)}.${Math.floor(rand() * 100)}`,
        `${str(8, '0123456789abcdef')}-${str(4, '0123456789abcdef')}-4${str(3, '0123456789abcdef')}-a${str(3, '0123456789abcdef')}-${str(12, '0123456789abcdef')}`,
        str(20),
        `${Math.floor(rand() * 1e9)}`,
      ]);
    const shapes = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      shapes.add(classifyEndpoint('PUT', `/_matrix/client/unstable/org.example.x/rooms/${room()}/thing/${event()}/${clientTxn()}`).servlet);
      shapes.add(classifyEndpoint('GET', `/_matrix/client/v3/unknown/${user()}/${media()}/${Math.floor(rand() * 1e9)}`).servlet);
    }
    expect(shapes.size).toBeLessThanOrEqual(2);
  });
});

import { detach, keepText } from '../core/strings.js';
/**
 * Endpoint normalisation: map every request (method + URI) to the Synapse servlet that
 * serves it, named like the `servlet` label of Synapse's Prometheus metrics
 * (`synapse_http_server_response_time_seconds{servlet="RoomSendEventRestServlet"}`), so
 * synlog's per-endpoint tables line up with the Synapse Grafana dashboard.
 *
 * The route tables below were transcribed from Synapse's own `PATTERNS`
 * (synapse/rest/client/*.py, synapse/federation/transport/server/*.py,
 * synapse/rest/media/*.py, synapse/rest/key/v2/*.py, synapse/rest/admin/*.py,
 * synapse/replication/http/*.py). Where a servlet was renamed, the current name is used and
 * the older one is noted next to it.
 *
 * Speed matters (one call per `Processed request` line, millions of them): the path is indexed
 * by segment offsets (no split), dispatched on its prefix, then walked through a per-area
 * segment trie (literal child first, then placeholder, with backtracking). No list of regexes
 * is tried in turn; a matched route returns a prebuilt, frozen Endpoint, and only literal
 * segments are ever sliced out. A direct-mapped memo on the raw path skips even that for
 * repeated paths (/sync, per-room /messages).
 *
 * Requests Synapse would not route (unknown path, or a method the servlet lacks) are labelled
 * `unrecognised_request_handler` by Synapse; here they get their shape instead (version → `*`,
 * ID-like segments → `{id}`), so distinct mistakes stay visible without growing unboundedly.
 */

export type EndpointArea = 'client' | 'federation' | 'media' | 'key' | 'admin' | 'replication' | 'well-known' | 'metrics' | 'health' | 'other';

export interface Endpoint {
  /** Prometheus-style servlet name, e.g. 'RoomSendEventRestServlet'; for unknown paths a shape like 'GET /_matrix/client/*\/foo/{id}'. */
  readonly servlet: string;
  /** Normalised route with placeholders, version collapsed, e.g. 'PUT /_matrix/client/*\/rooms/{roomId}/send/{eventType}/{txnId}'. */
  readonly route: string;
  /** 'client' | 'federation' | 'media' | 'key' | 'admin' | 'replication' | 'well-known' | 'metrics' | 'health' | 'other' */
  readonly area: EndpointArea;
  /** Long-poll endpoints (sync, events, sliding sync) whose handler legitimately waits up to `timeout`. */
  readonly longPoll: boolean;
  /** `timeout=` query value in ms when present and numeric, else null. */
  readonly timeoutMs: number | null;
}

// ---------------------------------------------------------------------------------------
// Route tables. Pattern syntax: segments separated by '/', `{name}` matches exactly one
// segment (any content, as Synapse's `[^/]*`), a final `*` matches any remaining segments.
// ---------------------------------------------------------------------------------------

interface RouteOpts {
  /** Handler waits up to `timeout` by design (so a long duration is not "slow"). */
  readonly longPoll?: boolean;
  /** Overrides the table's area (e.g. client-prefixed admin or media routes). */
  readonly area?: EndpointArea;
}

type RouteDef = readonly [methods: string, pattern: string, servlet: string, opts?: RouteOpts];

const LONG_POLL: RouteOpts = { longPoll: true };
const AS_ADMIN: RouteOpts = { area: 'admin' };
const AS_MEDIA: RouteOpts = { area: 'media' };

/**
 * Client-server API, relative to `/_matrix/client/<version>/` (r0, v3, unstable, api/v1, v1,
 * v2_alpha all collapse: Synapse registers the same servlet under each prefix).
 */
const CLIENT_ROUTES: readonly RouteDef[] = [
  // sync.py, events.py, initial_sync.py
  ['GET', 'sync', 'SyncRestServlet', LONG_POLL],
  ['POST', 'org.matrix.simplified_msc3575/sync', 'SlidingSyncRestServlet', LONG_POLL],
  // MSC3575 path of older Synapse (and the sliding-sync proxy). Synapse registered POST;
  // GET is accepted too so a stray client does not scatter into unknown shapes.
  ['GET,POST', 'org.matrix.msc3575/sync', 'SlidingSyncRestServlet', LONG_POLL],
  ['GET,POST', 'org.matrix.msc3575/sync/e2ee', 'SlidingSyncE2eeRestServlet', LONG_POLL],
  ['GET', 'events', 'EventStreamRestServlet', LONG_POLL],
  ['GET', 'events/{eventId}', 'EventRestServlet'],
  ['GET', 'initialSync', 'InitialSyncRestServlet'],

  // room.py
  ['POST', 'createRoom', 'RoomCreateRestServlet'],
  ['PUT', 'createRoom/{txnId}', 'RoomCreateRestServlet'],
  ['GET,PUT', 'rooms/{roomId}/state/{eventType}', 'RoomStateEventRestServlet'],
  ['GET,PUT', 'rooms/{roomId}/state/{eventType}/{stateKey}', 'RoomStateEventRestServlet'],
  ['GET', 'rooms/{roomId}/state', 'RoomStateRestServlet'],
  ['POST', 'rooms/{roomId}/send/{eventType}', 'RoomSendEventRestServlet'],
  ['PUT', 'rooms/{roomId}/send/{eventType}/{txnId}', 'RoomSendEventRestServlet'],
  ['POST', 'join/{roomIdOrAlias}', 'JoinRoomAliasServlet'],
  ['PUT', 'join/{roomIdOrAlias}/{txnId}', 'JoinRoomAliasServlet'],
  ['POST', 'knock/{roomIdOrAlias}', 'KnockRoomAliasServlet'],
  ['PUT', 'knock/{roomIdOrAlias}/{txnId}', 'KnockRoomAliasServlet'],
  ['GET,POST', 'publicRooms', 'PublicRoomListRestServlet'],
  ['GET', 'rooms/{roomId}/members', 'RoomMemberListRestServlet'],
  ['GET', 'rooms/{roomId}/joined_members', 'JoinedRoomMemberListRestServlet'],
  ['GET', 'rooms/{roomId}/messages', 'RoomMessageListRestServlet'],
  ['GET', 'rooms/{roomId}/initialSync', 'RoomInitialSyncRestServlet'],
  ['GET', 'rooms/{roomId}/event/{eventId}', 'RoomEventServlet'],
  ['GET', 'rooms/{roomId}/context/{eventId}', 'RoomEventContextServlet'],
  ['POST', 'rooms/{roomId}/forget', 'RoomForgetRestServlet'],
  ['PUT', 'rooms/{roomId}/forget/{txnId}', 'RoomForgetRestServlet'],
  ...['join', 'invite', 'leave', 'ban', 'unban', 'kick'].flatMap((action): RouteDef[] => [
    ['POST', `rooms/{roomId}/${action}`, 'RoomMembershipRestServlet'],
    ['PUT', `rooms/{roomId}/${action}/{txnId}`, 'RoomMembershipRestServlet'],
  ]),
  ['POST', 'rooms/{roomId}/redact/{eventId}', 'RoomRedactEventRestServlet'],
  ['PUT', 'rooms/{roomId}/redact/{eventId}/{txnId}', 'RoomRedactEventRestServlet'],
  ['PUT', 'rooms/{roomId}/typing/{userId}', 'RoomTypingRestServlet'],
  ['GET', 'rooms/{roomId}/aliases', 'RoomAliasListServlet'],
  ['GET', 'org.matrix.msc2432/rooms/{roomId}/aliases', 'RoomAliasListServlet'],
  ['POST', 'search', 'SearchRestServlet'],
  ['GET', 'joined_rooms', 'JoinedRoomsRestServlet'],
  ['GET', 'rooms/{roomId}/timestamp_to_event', 'TimestampLookupRestServlet'],
  ['GET', 'rooms/{roomId}/hierarchy', 'RoomHierarchyRestServlet'],
  ['GET', 'room_summary/{roomIdOrAlias}', 'RoomSummaryRestServlet'],
  ['GET', 'im.nheko.summary/rooms/{roomIdOrAlias}/summary', 'RoomSummaryRestServlet'],
  ['GET', 'im.nheko.summary/summary/{roomIdOrAlias}', 'RoomSummaryRestServlet'],
  ['POST', 'org.matrix.msc4140/rooms/{roomId}/delayed_event/{eventType}', 'RoomDelayedEventRestServlet'],
  ['PUT', 'org.matrix.msc4140/rooms/{roomId}/delayed_event/{eventType}/{txnId}', 'RoomDelayedEventRestServlet'],
  // delayed_events.py
  ['GET', 'org.matrix.msc4140/delayed_events', 'DelayedEventsServlet'],
  ['POST', 'org.matrix.msc4140/delayed_events/{delayId}', 'UpdateDelayedEventServlet'],
  // receipts.py, read_marker.py, relations.py, room_upgrade_rest_servlet.py, reporting.py
  ['POST', 'rooms/{roomId}/receipt/{receiptType}/{eventId}', 'ReceiptRestServlet'],
  ['POST', 'rooms/{roomId}/read_markers', 'ReadMarkerRestServlet'],
  ['GET', 'rooms/{roomId}/relations/{eventId}', 'RelationPaginationServlet'],
  ['GET', 'rooms/{roomId}/relations/{eventId}/{relType}', 'RelationPaginationServlet'],
  ['GET', 'rooms/{roomId}/relations/{eventId}/{relType}/{eventType}', 'RelationPaginationServlet'],
  ['GET', 'rooms/{roomId}/threads', 'ThreadsServlet'],
  ['POST', 'rooms/{roomId}/upgrade', 'RoomUpgradeRestServlet'],
  ['POST', 'rooms/{roomId}/report/{eventId}', 'ReportEventRestServlet'],
  ['POST', 'rooms/{roomId}/report', 'ReportRoomRestServlet'],
  ['POST', 'users/{userId}/report', 'ReportUserRestServlet'],

  // profile.py. Synapse ≤ 1.12x: ProfileDisplaynameRestServlet / ProfileAvatarURLRestServlet.
  ['GET', 'profile/{userId}', 'ProfileRestServlet'],
  ['GET,PUT,DELETE', 'profile/{userId}/{field}', 'ProfileFieldRestServlet'],
  ['GET,PUT,DELETE', 'uk.tcpip.msc4133/profile/{userId}/{field}', 'ProfileFieldRestServlet'],

  // directory.py
  ['GET,PUT,DELETE', 'directory/room/{roomAlias}', 'ClientDirectoryServer'],
  ['GET,PUT', 'directory/list/room/{roomId}', 'ClientDirectoryListServer'],
  ['PUT,DELETE', 'directory/list/appservice/{networkId}/{roomId}', 'ClientAppserviceDirectoryListServer'],

  // account.py
  ['POST', 'account/password/email/requestToken', 'EmailPasswordRequestTokenRestServlet'],
  ['POST', 'account/password/msisdn/requestToken', 'MsisdnPasswordRequestTokenRestServlet'],
  ['POST', 'account/password', 'PasswordRestServlet'],
  ['POST', 'account/deactivate', 'DeactivateAccountRestServlet'],
  ['POST', 'account/3pid/email/requestToken', 'EmailThreepidRequestTokenRestServlet'],
  ['POST', 'account/3pid/msisdn/requestToken', 'MsisdnThreepidRequestTokenRestServlet'],
  ['GET', 'add_threepid/email/submit_token', 'AddThreepidEmailSubmitTokenServlet'],
  ['POST', 'add_threepid/msisdn/submit_token', 'AddThreepidMsisdnSubmitTokenServlet'],
  ['GET,POST', 'account/3pid', 'ThreepidRestServlet'],
  ['POST', 'account/3pid/add', 'ThreepidAddRestServlet'],
  ['POST', 'account/3pid/bind', 'ThreepidBindRestServlet'],
  ['POST', 'account/3pid/unbind', 'ThreepidUnbindRestServlet'],
  ['POST', 'account/3pid/delete', 'ThreepidDeleteRestServlet'],
  ['GET', 'account/whoami', 'WhoamiRestServlet'],
  ['POST', 'org.matrix.msc3720/account_status', 'AccountStatusRestServlet'],
  ['GET', 'account_validity/renew', 'AccountValidityRenewServlet'],
  ['POST', 'account_validity/send_mail', 'AccountValiditySendMailServlet'],
  ['GET', 'password_policy', 'PasswordPolicyServlet'],

  // register.py
  ['POST', 'register', 'RegisterRestServlet'],
  ['GET', 'register/available', 'UsernameAvailabilityRestServlet'],
  ['POST', 'register/email/requestToken', 'EmailRegisterRequestTokenRestServlet'],
  ['POST', 'register/msisdn/requestToken', 'MsisdnRegisterRequestTokenRestServlet'],
  ['GET', 'register/m.login.registration_token/validity', 'RegistrationTokenValidityRestServlet'],
  ['GET', 'register/org.matrix.msc3231.login.registration_token/validity', 'RegistrationTokenValidityRestServlet'],
  ['GET', 'registration/{medium}/submit_token', 'RegistrationSubmitTokenServlet'],

  // login.py, logout.py, auth.py, auth_metadata.py, login_token_request.py, tokenrefresh.py
  ['GET,POST', 'login', 'LoginRestServlet'],
  ['POST', 'refresh', 'RefreshTokenServlet'],
  ['GET', 'login/sso/redirect', 'SsoRedirectServlet'],
  ['GET', 'login/cas/redirect', 'SsoRedirectServlet'],
  ['GET', 'login/sso/redirect/{idpId}', 'SsoRedirectServlet'],
  ['GET', 'login/cas/ticket', 'CasTicketServlet'],
  ['POST', 'login/get_token', 'LoginTokenRequestServlet'],
  ['POST', 'org.matrix.msc3882/login/get_token', 'LoginTokenRequestServlet'],
  ['POST', 'logout', 'LogoutRestServlet'],
  ['POST', 'logout/all', 'LogoutAllRestServlet'],
  ['GET,POST', 'auth/{stageType}/fallback/web', 'AuthRestServlet'],
  ['GET', 'org.matrix.msc2965/auth_issuer', 'AuthIssuerServlet'],
  ['GET', 'auth_metadata', 'AuthMetadataServlet'],
  ['GET', 'org.matrix.msc2965/auth_metadata', 'AuthMetadataServlet'],
  ['POST', 'tokenrefresh', 'TokenRefreshRestServlet'],

  // keys.py, room_keys.py
  ['POST', 'keys/upload', 'KeyUploadServlet'],
  ['POST', 'keys/upload/{deviceId}', 'KeyUploadServlet'],
  ['POST', 'keys/query', 'KeyQueryServlet'],
  ['GET', 'keys/changes', 'KeyChangesServlet'],
  ['POST', 'keys/claim', 'OneTimeKeyServlet'],
  ['POST', 'org.matrix.msc3983/keys/claim', 'UnstableOneTimeKeyServlet'],
  ['POST', 'keys/device_signing/upload', 'SigningKeyUploadServlet'],
  ['POST', 'keys/signatures/upload', 'SignaturesUploadServlet'],
  ['GET,PUT,DELETE', 'room_keys/keys', 'RoomKeysServlet'],
  ['GET,PUT,DELETE', 'room_keys/keys/{roomId}', 'RoomKeysServlet'],
  ['GET,PUT,DELETE', 'room_keys/keys/{roomId}/{sessionId}', 'RoomKeysServlet'],
  ['POST', 'room_keys/version', 'RoomKeysNewVersionServlet'],
  ['GET', 'room_keys/version', 'RoomKeysVersionServlet'],
  ['GET,PUT,DELETE', 'room_keys/version/{version}', 'RoomKeysVersionServlet'],

  // devices.py, sendtodevice.py
  ['GET', 'devices', 'DevicesRestServlet'],
  ['POST', 'delete_devices', 'DeleteDevicesRestServlet'],
  ['GET,PUT,DELETE', 'devices/{deviceId}', 'DeviceRestServlet'],
  ['GET,PUT', 'org.matrix.msc2697.v2/dehydrated_device', 'DehydratedDeviceServlet'],
  ['POST', 'org.matrix.msc2697.v2/dehydrated_device/claim', 'ClaimDehydratedDeviceServlet'],
  ['GET,PUT,DELETE', 'org.matrix.msc3814.v1/dehydrated_device', 'DehydratedDeviceV2Servlet'],
  ['POST', 'org.matrix.msc3814.v1/dehydrated_device/{deviceId}/events', 'DehydratedDeviceEventsServlet'],
  ['PUT', 'sendToDevice/{eventType}/{txnId}', 'SendToDeviceRestServlet'],

  // account_data.py, tags.py, filter.py, openid.py, user_directory.py, mutual_rooms.py
  ['GET,PUT,DELETE', 'user/{userId}/account_data/{type}', 'AccountDataServlet'],
  ['GET,PUT,DELETE', 'user/{userId}/rooms/{roomId}/account_data/{type}', 'RoomAccountDataServlet'],
  ['GET', 'user/{userId}/rooms/{roomId}/tags', 'TagListServlet'],
  ['PUT,DELETE', 'user/{userId}/rooms/{roomId}/tags/{tag}', 'TagServlet'],
  ['POST', 'user/{userId}/filter', 'CreateFilterRestServlet'],
  ['GET', 'user/{userId}/filter/{filterId}', 'GetFilterRestServlet'],
  ['POST', 'user/{userId}/openid/request_token', 'IdTokenServlet'],
  ['POST', 'user_directory/search', 'UserDirectorySearchRestServlet'],
  ['GET', 'uk.half-shot.msc2666/user/mutual_rooms', 'UserMutualRoomsServlet'],

  // push_rule.py (pattern is `pushrules/.*`), pusher.py, notifications.py
  ['GET,PUT,DELETE', 'pushrules', 'PushRuleRestServlet'],
  ['GET,PUT,DELETE', 'pushrules/*', 'PushRuleRestServlet'],
  ['GET', 'pushers', 'PushersRestServlet'],
  ['POST', 'pushers/set', 'PushersSetRestServlet'],
  ['GET', 'pushers/remove', 'PushersRemoveRestServlet'],
  ['GET', 'notifications', 'NotificationsServlet'],

  // presence.py, capabilities.py, voip.py, thirdparty.py, appservice_ping.py
  ['GET,PUT', 'presence/{userId}/status', 'PresenceStatusRestServlet'],
  ['GET', 'capabilities', 'CapabilitiesRestServlet'],
  ['GET', 'voip/turnServer', 'VoipRestServlet'],
  ['GET', 'thirdparty/protocols', 'ThirdPartyProtocolsServlet'],
  ['GET', 'thirdparty/protocol/{protocol}', 'ThirdPartyProtocolServlet'],
  ['GET', 'thirdparty/user', 'ThirdPartyUserServlet'],
  ['GET', 'thirdparty/user/{protocol}', 'ThirdPartyUserServlet'],
  ['GET', 'thirdparty/location', 'ThirdPartyLocationServlet'],
  ['GET', 'thirdparty/location/{protocol}', 'ThirdPartyLocationServlet'],
  ['POST', 'appservice/{appserviceId}/ping', 'AppservicePingRestServlet'],

  // Admin whois is also mounted on the client prefix (rest/admin/users.py).
  ['GET', 'admin/whois/{userId}', 'WhoisRestServlet', AS_ADMIN],

  // rest/client/media.py: authenticated media (MSC3916), same class names as the media repo.
  ['GET', 'media/download/{serverName}/{mediaId}', 'DownloadResource', AS_MEDIA],
  ['GET', 'media/download/{serverName}/{mediaId}/{fileName}', 'DownloadResource', AS_MEDIA],
  ['GET', 'media/thumbnail/{serverName}/{mediaId}', 'ThumbnailResource', AS_MEDIA],
  ['GET', 'media/preview_url', 'PreviewURLServlet', AS_MEDIA],
  ['GET', 'media/config', 'MediaConfigResource', AS_MEDIA],
];

/**
 * Federation API, relative to `/_matrix/federation/`. The version stays in the pattern
 * because Synapse serves v1 and v2 of the same path with different servlets (send_join,
 * send_leave, invite), so here the version is part of the endpoint's identity.
 */
const FEDERATION_ROUTES: readonly RouteDef[] = [
  ['PUT', 'v1/send/{txnId}', 'FederationSendServlet'],
  ['GET', 'v1/event/{eventId}', 'FederationEventServlet'],
  ['GET', 'v1/state/{roomId}', 'FederationStateV1Servlet'],
  ['GET', 'v1/state_ids/{roomId}', 'FederationStateIdsServlet'],
  ['GET', 'v1/backfill/{roomId}', 'FederationBackfillServlet'],
  ['GET', 'v1/timestamp_to_event/{roomId}', 'FederationTimestampLookupServlet'],
  ['GET', 'v1/query/{queryType}', 'FederationQueryServlet'],
  ['GET', 'v1/make_join/{roomId}/{userId}', 'FederationMakeJoinServlet'],
  ['GET', 'v1/make_leave/{roomId}/{userId}', 'FederationMakeLeaveServlet'],
  ['GET', 'v1/make_knock/{roomId}/{userId}', 'FederationMakeKnockServlet'],
  ['PUT', 'v1/send_join/{roomId}/{eventId}', 'FederationV1SendJoinServlet'],
  ['PUT', 'v2/send_join/{roomId}/{eventId}', 'FederationV2SendJoinServlet'],
  ['PUT', 'v1/send_leave/{roomId}/{eventId}', 'FederationV1SendLeaveServlet'],
  ['PUT', 'v2/send_leave/{roomId}/{eventId}', 'FederationV2SendLeaveServlet'],
  ['PUT', 'v1/send_knock/{roomId}/{eventId}', 'FederationV1SendKnockServlet'],
  ['PUT', 'v1/invite/{roomId}/{eventId}', 'FederationV1InviteServlet'],
  ['PUT', 'v2/invite/{roomId}/{eventId}', 'FederationV2InviteServlet'],
  ['PUT', 'v1/exchange_third_party_invite/{roomId}', 'FederationThirdPartyInviteExchangeServlet'],
  ['GET', 'v1/event_auth/{roomId}/{eventId}', 'FederationEventAuthServlet'],
  ['POST', 'v1/user/keys/query', 'FederationClientKeysQueryServlet'],
  ['GET', 'v1/user/devices/{userId}', 'FederationUserDevicesQueryServlet'],
  ['POST', 'v1/user/keys/claim', 'FederationClientKeysClaimServlet'],
  ['POST', 'unstable/user/keys/claim', 'FederationUnstableClientKeysClaimServlet'],
  ['POST', 'v1/get_missing_events/{roomId}', 'FederationGetMissingEventsServlet'],
  ['POST', 'v1/3pid/onbind', 'On3pidBindServlet'],
  ['GET', 'v1/version', 'FederationVersionServlet'],
  ['GET', 'v1/hierarchy/{roomId}', 'FederationRoomHierarchyServlet'],
  ['GET', 'unstable/rooms/{roomId}/complexity', 'RoomComplexityServlet'],
  ['POST', 'unstable/org.matrix.msc3720/query/account_status', 'FederationAccountStatusServlet'],
  ['GET', 'v1/media/download/{mediaId}', 'FederationMediaDownloadServlet'],
  ['GET', 'v1/media/thumbnail/{mediaId}', 'FederationMediaThumbnailServlet'],
  ['GET,POST', 'v1/publicRooms', 'PublicRoomList'],
  ['GET', 'v1/openid/userinfo', 'OpenIdUserInfo'],
];

/**
 * Media repository, relative to `/_matrix/media/<r0|v1|v3>/`. Older Synapse labelled these
 * with each resource's class (DownloadResource, ThumbnailResource, UploadResource…) via
 * `_AsyncResource`, and a few releases reported the container `MediaRepositoryResource`;
 * current Synapse registers per-servlet classes on MediaRepositoryResource (a JsonResource).
 * The per-servlet names are used, as in current Synapse (older: UploadResource).
 */
const MEDIA_ROUTES: readonly RouteDef[] = [
  ['POST', 'upload', 'UploadServlet'],
  ['PUT', 'upload/{serverName}/{mediaId}', 'AsyncUploadServlet'],
  ['POST', 'create', 'CreateResource'],
  ['GET', 'download/{serverName}/{mediaId}', 'DownloadResource'],
  ['GET', 'download/{serverName}/{mediaId}/{fileName}', 'DownloadResource'],
  ['GET', 'thumbnail/{serverName}/{mediaId}', 'ThumbnailResource'],
  ['GET', 'preview_url', 'PreviewUrlResource'],
  ['GET', 'config', 'MediaConfigResource'],
];

/** Key server, relative to `/_matrix/key/v2/` (rest/key/v2: LocalKey, RemoteKey). */
const KEY_ROUTES: readonly RouteDef[] = [
  ['GET', 'server', 'LocalKey'],
  ['GET', 'server/{keyId}', 'LocalKey'],
  ['GET', 'query/{serverName}', 'RemoteKey'],
  ['GET', 'query/{serverName}/{keyId}', 'RemoteKey'],
  ['POST', 'query', 'RemoteKey'],
];

/**
 * Admin API, relative to `/_synapse/admin/`. Versions stay in the pattern: v1, v2 and v3
 * of the same path are different servlets (rooms, users).
 */
const ADMIN_ROUTES: readonly RouteDef[] = [
  ['GET', 'v1/server_version', 'VersionServlet'],
  ['POST', 'v1/purge_history/{roomId}', 'PurgeHistoryRestServlet'],
  ['POST', 'v1/purge_history/{roomId}/{eventId}', 'PurgeHistoryRestServlet'],
  ['GET', 'v1/purge_history_status/{purgeId}', 'PurgeHistoryStatusRestServlet'],
  ['GET', 'v1/whois/{userId}', 'WhoisRestServlet'],
  ['POST', 'v1/deactivate/{userId}', 'DeactivateAccountRestServlet'],
  ['POST', 'v1/reset_password/{userId}', 'ResetPasswordRestServlet'],
  ['GET', 'v1/search_users/{userId}', 'SearchUsersRestServlet'],
  ['GET,POST', 'v1/register', 'UserRegisterServlet'],
  ['POST', 'v1/account_validity/validity', 'AccountValidityRenewServlet'],
  ['GET', 'v2/users', 'UsersRestServletV2'],
  ['GET', 'v3/users', 'UsersRestServletV3'],
  ['GET,PUT', 'v2/users/{userId}', 'UserRestServletV2'],
  ['GET,PUT', 'v1/users/{userId}/admin', 'UserAdminServlet'],
  ['GET', 'v1/users/{userId}/joined_rooms', 'UserMembershipRestServlet'],
  ['POST', 'v1/users/{userId}/login', 'UserTokenRestServlet'],
  ['GET', 'v1/users/{userId}/pushers', 'PushersRestServlet'],
  ['GET,DELETE', 'v1/users/{userId}/media', 'UserMediaRestServlet'],
  ['POST,DELETE', 'v1/users/{userId}/shadow_ban', 'ShadowBanRestServlet'],
  ['GET,POST,DELETE', 'v1/users/{userId}/override_ratelimit', 'RateLimitRestServlet'],
  ['GET', 'v1/users/{userId}/accountdata', 'AccountDataRestServlet'],
  ['POST', 'v1/users/{userId}/_allow_cross_signing_replacement_without_uia', 'UserReplaceMasterCrossSigningKeyRestServlet'],
  ['GET', 'v1/users/{userId}/sent_invite_count', 'UserInvitesCount'],
  ['GET', 'v1/users/{userId}/cumulative_joined_room_count', 'UserJoinedRoomCount'],
  ['GET', 'v1/auth_providers/{provider}/users/{externalId}', 'UserByExternalId'],
  ['GET', 'v1/threepid/{medium}/users/{address}', 'UserByThreePid'],
  ['POST', 'v1/user/{userId}/redact', 'RedactUser'],
  ['GET', 'v1/user/redact_status/{redactId}', 'RedactUserStatus'],
  ['PUT', 'v1/suspend/{userId}', 'SuspendAccountRestServlet'],
  ['GET,POST', 'v2/users/{userId}/devices', 'DevicesRestServlet'],
  ['POST', 'v2/users/{userId}/delete_devices', 'DeleteDevicesRestServlet'],
  ['GET,PUT,DELETE', 'v2/users/{userId}/devices/{deviceId}', 'DeviceRestServlet'],
  ['GET', 'v1/rooms', 'ListRoomRestServlet'],
  ['GET,DELETE', 'v1/rooms/{roomId}', 'RoomRestServlet'],
  ['DELETE', 'v2/rooms/{roomId}', 'RoomRestV2Servlet'],
  ['GET', 'v2/rooms/{roomId}/delete_status', 'DeleteRoomStatusByRoomIdRestServlet'],
  ['GET', 'v2/rooms/delete_status/{deleteId}', 'DeleteRoomStatusByDeleteIdRestServlet'],
  ['GET', 'v1/rooms/{roomId}/members', 'RoomMembersRestServlet'],
  ['GET', 'v1/rooms/{roomId}/state', 'RoomStateRestServlet'],
  ['GET', 'v1/rooms/{roomId}/messages', 'RoomMessagesRestServlet'],
  ['GET', 'v1/rooms/{roomId}/timestamp_to_event', 'RoomTimestampToEventRestServlet'],
  ['GET', 'v1/rooms/{roomId}/context/{eventId}', 'RoomEventContextServlet'],
  ['GET,PUT', 'v1/rooms/{roomId}/block', 'BlockRoomRestServlet'],
  ['POST', 'v1/rooms/{roomId}/make_room_admin', 'MakeRoomAdminRestServlet'],
  ['GET,DELETE', 'v1/rooms/{roomId}/forward_extremities', 'ForwardExtremitiesRestServlet'],
  ['POST', 'v1/join/{roomIdOrAlias}', 'JoinRoomAliasServlet'],
  ['GET', 'v1/room/{roomId}/media', 'ListMediaInRoom'],
  ['POST', 'v1/room/{roomId}/media/quarantine', 'QuarantineMediaInRoom'],
  ['POST', 'v1/quarantine_media/{roomId}', 'QuarantineMediaInRoom'],
  ['POST', 'v1/user/{userId}/media/quarantine', 'QuarantineMediaByUser'],
  ['POST', 'v1/media/quarantine/{serverName}/{mediaId}', 'QuarantineMediaByID'],
  ['POST', 'v1/media/unquarantine/{serverName}/{mediaId}', 'UnquarantineMediaByID'],
  ['POST', 'v1/media/protect/{mediaId}', 'ProtectMediaByID'],
  ['POST', 'v1/media/unprotect/{mediaId}', 'UnprotectMediaByID'],
  ['POST', 'v1/purge_media_cache', 'PurgeMediaCacheRestServlet'],
  // Same path, different servlet per method (media.py).
  ['GET', 'v1/media/{serverName}/{mediaId}', 'QueryMediaById'],
  ['DELETE', 'v1/media/{serverName}/{mediaId}', 'DeleteMediaByID'],
  ['POST', 'v1/media/delete', 'DeleteMediaByDateSize'],
  ['POST', 'v1/media/{serverName}/delete', 'DeleteMediaByDateSize'],
  ['GET', 'v1/event_reports', 'EventReportsRestServlet'],
  ['GET,DELETE', 'v1/event_reports/{reportId}', 'EventReportDetailRestServlet'],
  ['GET', 'v1/fetch_event/{eventId}', 'EventRestServlet'],
  ['GET', 'v1/statistics/users/media', 'UserMediaStatisticsRestServlet'],
  ['GET', 'v1/statistics/database/rooms', 'LargestRoomsStatistics'],
  ['GET', 'v1/federation/destinations', 'ListDestinationsRestServlet'],
  ['GET', 'v1/federation/destinations/{destination}', 'DestinationRestServlet'],
  ['GET', 'v1/federation/destinations/{destination}/rooms', 'DestinationMembershipRestServlet'],
  ['POST', 'v1/federation/destinations/{destination}/reset_connection', 'DestinationResetConnectionRestServlet'],
  ['GET', 'v1/registration_tokens', 'ListRegistrationTokensRestServlet'],
  ['POST', 'v1/registration_tokens/new', 'NewRegistrationTokenRestServlet'],
  ['GET,PUT,DELETE', 'v1/registration_tokens/{token}', 'RegistrationTokenRestServlet'],
  ['GET,POST', 'v1/background_updates/enabled', 'BackgroundUpdateEnabledRestServlet'],
  ['GET', 'v1/background_updates/status', 'BackgroundUpdateRestServlet'],
  ['POST', 'v1/background_updates/start_job', 'BackgroundUpdateStartJobRestServlet'],
  ['GET,PUT', 'v1/experimental_features/{userId}', 'ExperimentalFeaturesRestServlet'],
  ['POST', 'v1/send_server_notice', 'SendServerNoticeServlet'],
  ['PUT', 'v1/send_server_notice/{txnId}', 'SendServerNoticeServlet'],
  ['GET', 'v1/username_available', 'UsernameAvailableRestServlet'],
  ['GET', 'v1/scheduled_tasks', 'ScheduledTasksRestServlet'],
];

/**
 * Replication endpoints: `/_synapse/replication/<NAME>/<args…>[/<txn_id>]`, NAME → class
 * (replication/http/*.py). Unknown names report as `replication:<name>`.
 */
const REPLICATION_SERVLETS: Readonly<Record<string, string>> = {
  send_event: 'ReplicationSendEventRestServlet',
  send_events: 'ReplicationSendEventsRestServlet',
  fed_send_events: 'ReplicationFederationSendEventsRestServlet',
  fed_send_edu: 'ReplicationFederationSendEduRestServlet',
  fed_query: 'ReplicationGetQueryRestServlet',
  fed_cleanup_room: 'ReplicationCleanRoomRestServlet',
  store_room_on_outlier_membership: 'ReplicationStoreRoomOnOutlierMembershipRestServlet',
  remote_join: 'ReplicationRemoteJoinRestServlet',
  remote_knock: 'ReplicationRemoteKnockRestServlet',
  remote_reject_invite: 'ReplicationRemoteRejectInviteRestServlet',
  remote_rescind_knock: 'ReplicationRemoteRescindKnockRestServlet',
  membership_change: 'ReplicationUserJoinedLeftRoomRestServlet',
  notify_device_update: 'ReplicationNotifyDeviceUpdateRestServlet',
  notify_user_signature_update: 'ReplicationNotifyUserSignatureUpdateRestServlet',
  multi_user_device_resync: 'ReplicationMultiUserDevicesResyncRestServlet',
  user_device_resync: 'ReplicationUserDevicesResyncRestServlet',
  upload_keys_for_user: 'ReplicationUploadKeysForUserRestServlet',
  handle_new_device_update: 'ReplicationHandleNewDeviceUpdateRestServlet',
  add_user_account_data: 'ReplicationAddUserAccountDataRestServlet',
  remove_user_account_data: 'ReplicationRemoveUserAccountDataRestServlet',
  add_room_account_data: 'ReplicationAddRoomAccountDataRestServlet',
  remove_room_account_data: 'ReplicationRemoveRoomAccountDataRestServlet',
  add_tag: 'ReplicationAddTagRestServlet',
  remove_tag: 'ReplicationRemoveTagRestServlet',
  copy_push_rules: 'ReplicationCopyPusherRestServlet',
  bump_presence_active_time: 'ReplicationBumpPresenceActiveTime',
  presence_set_state: 'ReplicationPresenceSetState',
  register_user: 'ReplicationRegisterServlet',
  post_register: 'ReplicationPostRegisterActionsServlet',
  device_check_registered: 'RegisterDeviceReplicationServlet',
  update_current_state: 'ReplicationUpdateCurrentStateRestServlet',
  get_repl_stream_updates: 'ReplicationGetStreamUpdates',
  profile_set_field_value: 'ReplicationProfileSetFieldValue',
  profile_user_room_membership_change: 'ReplicationProfileUserRoomMembershipChange',
  notify_account_deactivated: 'ReplicationNotifyAccountDeactivatedServlet',
  send_server_notice: 'ReplicationSendServerNoticeServlet',
  added_delayed_event: 'ReplicationAddedDelayedEventRestServlet',
};

/** `/_synapse/client/<…>` resources (rest/synapse/client/__init__.py), first segments → class. */
const SYNAPSE_CLIENT_SERVLETS: Readonly<Record<string, string>> = {
  pick_idp: 'PickIdpResource',
  new_user_consent: 'NewUserConsentResource',
  sso_register: 'SsoRegisterResource',
  unsubscribe: 'UnsubscribeResource',
  rendezvous: 'MSC4108RendezvousSessionResource',
  'pick_username/account_details': 'AccountDetailsResource',
  'pick_username/check': 'AvailabilityCheckResource',
  'password_reset/email': 'PasswordResetSubmitTokenResource',
  'oidc/callback': 'OIDCCallbackResource',
  'oidc/backchannel_logout': 'OIDCBackchannelLogoutResource',
  'saml2/authn_response': 'SAML2ResponseResource',
  'saml2/metadata.xml': 'SAML2MetadataResource',
  'v1/config': 'FederationWhitelistResource',
};

// ---------------------------------------------------------------------------------------
// Trie
// ---------------------------------------------------------------------------------------

interface Terminal {
  /** Route path with placeholders, used to build the OPTIONS route. */
  path: string;
  readonly byMethod: Map<string, Endpoint>;
  /** Built on first OPTIONS request for this route. */
  options: Endpoint | null;
}

interface TrieNode {
  lit: Map<string, TrieNode> | null;
  param: TrieNode | null;
  term: Terminal | null;
  /** `*`: matches any (≥1) remaining segments. */
  rest: Terminal | null;
}

const newNode = (): TrieNode => ({ lit: null, param: null, term: null, rest: null });

function endpoint(servlet: string, route: string, area: EndpointArea, longPoll: boolean): Endpoint {
  return Object.freeze({ servlet, route, area, longPoll, timeoutMs: null });
}

function buildTrie(routes: readonly RouteDef[], prefix: string, area: EndpointArea): TrieNode {
  const root = newNode();
  for (const [methods, pattern, servlet, opts] of routes) {
    const segs = pattern.split('/');
    let node = root;
    let term: Terminal | null = null;
    const shown: string[] = [];
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i] ?? '';
      if (seg === '*') {
        if (i !== segs.length - 1) throw new Error(`'*' must be last in ${pattern}`);
        shown.push('*');
        node.rest ??= { path: '', byMethod: new Map(), options: null };
        term = node.rest;
        break;
      }
      shown.push(seg);
      if (seg.startsWith('{')) {
        node.param ??= newNode();
        node = node.param;
      } else {
        node.lit ??= new Map();
        let next = node.lit.get(seg);
        if (next === undefined) {
          next = newNode();
          node.lit.set(seg, next);
        }
        node = next;
      }
      if (i === segs.length - 1) {
        node.term ??= { path: '', byMethod: new Map(), options: null };
        term = node.term;
      }
    }
    if (term === null) throw new Error(`empty pattern in ${prefix}`);
    const path = `${prefix}/${shown.join('/')}`;
    term.path = path;
    for (const method of methods.split(',')) {
      if (term.byMethod.has(method)) throw new Error(`duplicate route ${method} ${path}`);
      term.byMethod.set(method, endpoint(servlet, `${method} ${path}`, opts?.area ?? area, opts?.longPoll ?? false));
    }
  }
  return root;
}

const CLIENT_TRIE = buildTrie(CLIENT_ROUTES, '/_matrix/client/*', 'client');
const FEDERATION_TRIE = buildTrie(FEDERATION_ROUTES, '/_matrix/federation', 'federation');
const MEDIA_TRIE = buildTrie(MEDIA_ROUTES, '/_matrix/media/*', 'media');
const KEY_TRIE = buildTrie(KEY_ROUTES, '/_matrix/key/*', 'key');
const ADMIN_TRIE = buildTrie(ADMIN_ROUTES, '/_synapse/admin', 'admin');

/** Method value meaning "any method" (OPTIONS wants the route shape, not a handler). */
const ANY = '';

function accepts(term: Terminal | null, method: string): term is Terminal {
  return term !== null && (method === ANY || term.byMethod.has(method));
}

// The path being classified, as segment offsets into one string: no split, and only the
// literal segments looked up in a trie are ever sliced out (IDs never are).
const MAX_SEGS = 32;
const segStart = new Int32Array(MAX_SEGS + 1);
let cur = '';
let nSegs = 0;

/** Start offset of segment i; for i === nSegs, one past the end of the path plus one. */
function start(i: number): number {
  return segStart[i] ?? 0;
}

/** Index the segments of `path` (which starts with '/'); false if deeper than MAX_SEGS. */
function scanPath(path: string): boolean {
  cur = path;
  let n = 0;
  let pos = 1;
  for (;;) {
    if (n === MAX_SEGS) return false;
    segStart[n++] = pos;
    const slash = path.indexOf('/', pos);
    if (slash === -1) break;
    pos = slash + 1;
  }
  segStart[n] = path.length + 1;
  nSegs = n;
  return true;
}

function segAt(i: number): string {
  return cur.slice(start(i), start(i + 1) - 1);
}

function segIs(i: number, lit: string): boolean {
  const s = start(i);
  return start(i + 1) - 1 - s === lit.length && cur.startsWith(lit, s);
}

/** Walk the trie from segment i; literal child first, then placeholder, then `*`. */
function matchTrie(node: TrieNode, i: number, method: string): Terminal | null {
  if (i === nSegs) return accepts(node.term, method) ? node.term : null;
  if (node.lit !== null) {
    const seg = segAt(i);
    let next = node.lit.get(seg);
    // Literal segments are never percent-encoded in practice; decode only on a miss.
    if (next === undefined && seg.indexOf('%') !== -1) next = node.lit.get(safeDecode(seg));
    if (next !== undefined) {
      const t = matchTrie(next, i + 1, method);
      if (t !== null) return t;
    }
  }
  if (node.param !== null) {
    const t = matchTrie(node.param, i + 1, method);
    if (t !== null) return t;
  }
  return accepts(node.rest, method) ? node.rest : null;
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/** decodeURIComponent that never throws: malformed escapes are kept as they are. */
export function safeDecode(s: string): string {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodeRun);
  }
}

/** Decode a run of %XX escapes, taking the longest valid UTF-8 sequence at each point. */
function decodeRun(run: string): string {
  let out = '';
  let i = 0;
  while (i < run.length) {
    let done = false;
    // A UTF-8 sequence is 1–4 bytes, 3 characters per escaped byte.
    for (let bytes = Math.min(4, (run.length - i) / 3); bytes >= 1 && !done; bytes--) {
      try {
        out += decodeURIComponent(run.slice(i, i + bytes * 3));
        i += bytes * 3;
        done = true;
      } catch {
        // try a shorter sequence
      }
    }
    if (!done) {
      out += run.slice(i, i + 3);
      i += 3;
    }
  }
  return out;
}

/** True for r0, v1, v2, v3…, unstable, v2_alpha (the client prefixes Synapse registers). */
function isClientVersion(seg: string): boolean {
  if (seg === 'r0' || seg === 'unstable' || seg === 'v2_alpha') return true;
  if (seg.length < 2 || seg.charCodeAt(0) !== 118 /* v */) return false;
  for (let i = 1; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** isClientVersion for segment i of the current path, without slicing. */
function isVersionAt(i: number): boolean {
  const s = start(i);
  const e = start(i + 1) - 1;
  if (e - s < 2) return false;
  if (cur.charCodeAt(s) === 118 /* v */) {
    let digits = true;
    for (let k = s + 1; k < e; k++) {
      const c = cur.charCodeAt(k);
      if (c < 48 || c > 57) {
        digits = false;
        break;
      }
    }
    return digits || segIs(i, 'v2_alpha');
  }
  return segIs(i, 'r0') || segIs(i, 'unstable');
}

/** Parse `timeout=<digits>` from the query string at `from` in `query` (not `timeout_ms`, not other keys). */
function parseTimeout(query: string, from: number): number | null {
  let at = query.indexOf('timeout=', from);
  while (at !== -1) {
    if (at === from || query.charCodeAt(at - 1) === 38 /* & */ || query.charCodeAt(at - 1) === 59 /* ; */) {
      let end = at + 8;
      let value = 0;
      while (end < query.length) {
        const c = query.charCodeAt(end);
        if (c < 48 || c > 57) break;
        value = value * 10 + (c - 48);
        end++;
      }
      // Numeric only if the whole value is digits (Synapse's parse_integer rejects the rest).
      const stop = end === query.length || query.charCodeAt(end) === 38 || query.charCodeAt(end) === 59;
      return end > at + 8 && stop ? value : null;
    }
    at = query.indexOf('timeout=', at + 1);
  }
  return null;
}

const SIGILS = '!@$#+';

/**
 * Does this (raw, possibly percent-encoded) segment look like an identifier rather than a
 * path word? Used only for unknown paths, to keep their shapes few.
 */
function isIdLike(seg: string): boolean {
  const n = seg.length;
  if (n === 0) return false;
  if (SIGILS.indexOf(seg[0] ?? '') !== -1) return true;
  // Path words are never percent-encoded; encoded segments are values (IDs, aliases…).
  if (seg.indexOf('%') !== -1 || seg.indexOf(':') !== -1) return true;
  let digits = 0;
  let run = 0;
  let maxRun = 0;
  let digitRuns = 0;
  let upper = 0;
  let lower = 0;
  let vowels = 0;
  let punct = 0; // '.' or '_' mark namespaced or snake_case words
  let other = 0;
  let switches = 0; // changes between upper / lower / digit: frequent in random tokens
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = seg.charCodeAt(i);
    let cls = 0;
    if (c >= 48 && c <= 57) {
      digits++;
      if (run === 0) digitRuns++;
      run++;
      if (run > maxRun) maxRun = run;
      cls = 3;
    } else {
      run = 0;
      if (c >= 65 && c <= 90) {
        upper++;
        // A E I O U
        if (c === 65 || c === 69 || c === 73 || c === 79 || c === 85) vowels++;
        cls = 1;
      } else if (c >= 97 && c <= 122) {
        lower++;
        // a e i o u
        if (c === 97 || c === 101 || c === 105 || c === 111 || c === 117) vowels++;
        cls = 2;
      } else if (c === 46 || c === 95) punct++;
      else if (c !== 45 && c !== 61 && c !== 126 && c !== 43) other++;
    }
    if (cls !== 0) {
      if (prev !== 0 && cls !== prev) switches++;
      prev = cls;
    }
  }
  if (digits === n) return true; // numeric IDs, stream positions, timestamps
  if (maxRun >= 6) return true; // txn IDs like m1795333702536.0
  if (digits >= 5 && digits * 2 >= n) return true; // stream tokens like s95_15_20_15_8_1_1_31_0
  if (other > 0) return n >= 16; // long odd tokens
  if (n >= 8 && upper >= 3) return true; // device IDs, media IDs, base64
  if (n >= 16 && (upper > 0 || (digits > 0 && punct === 0))) return true;
  if (n >= 8 && punct === 0) {
    // Words (camelCase, msc1234) switch character class rarely and keep digits together.
    if (digits >= 3 || digitRuns >= 2 || switches * 2 >= n) return true;
    // Random letters have few vowels (~19%); API words have far more.
    if (n >= 10 && vowels * 5 < lower + upper) return true;
  }
  return n > 64;
}

/** Max segments kept in an unknown path's shape; deeper paths end in `/…`. */
const MAX_SHAPE_SEGMENTS = 10;

function areaOf(segs: readonly string[]): EndpointArea {
  const s1 = segs[1];
  if (s1 === '_matrix') {
    switch (segs[2]) {
      case 'client':
        return segs[4] === 'media' ? 'media' : 'client';
      case 'federation':
        return 'federation';
      case 'media':
        return 'media';
      case 'key':
        return 'key';
      default:
        return 'other';
    }
  }
  if (s1 === '_synapse') {
    switch (segs[2]) {
      case 'admin':
        return 'admin';
      case 'replication':
        return 'replication';
      case 'client':
        return 'client';
      case 'metrics':
        return 'metrics';
      default:
        return 'other';
    }
  }
  if (s1 === '.well-known') return 'well-known';
  if (s1 === 'health') return 'health';
  if (s1 === 'metrics') return 'metrics';
  return 'other';
}

/** Number of segments from index 3 that form an API version (`v3`, `api/v1`), else 0. */
function versionWidth(segs: readonly string[]): number {
  const s1 = segs[1];
  const s2 = segs[2];
  const v = segs[3];
  if (v === undefined) return 0;
  if (s1 === '_matrix' && (s2 === 'client' || s2 === 'federation' || s2 === 'media' || s2 === 'key')) {
    if (v === 'api' && segs[4] === 'v1') return 2;
    return isClientVersion(v) ? 1 : 0;
  }
  if (s1 === '_synapse' && s2 === 'admin') return isClientVersion(v) ? 1 : 0;
  return 0;
}

/** Unknown path → shape: version collapsed to `*`, ID-like segments to `{id}`, depth capped. */
function shapeOf(segs: readonly string[]): string {
  const vw = versionWidth(segs);
  let out = '';
  let kept = 0;
  for (let i = 1; i < segs.length; i++) {
    if (kept === MAX_SHAPE_SEGMENTS) {
      out += '/…';
      break;
    }
    kept++;
    if (i === 3 && vw > 0) {
      out += '/*';
      i += vw - 1;
      continue;
    }
    const seg = segs[i] ?? '';
    out += isIdLike(seg) ? '/{id}' : `/${seg}`;
  }
  return out === '' ? '/' : out;
}

// Unknown shapes, shared so repeated unknown requests return one object (bounded).
const unknownCache = new Map<string, Endpoint>();
const UNKNOWN_CACHE_CAP = 10_000;
/** A path shape longer than this is cut (a 1 MiB URI must not make a 1 MiB endpoint name). */
const UNKNOWN_SHAPE_CHARS = 256;

function unknownEndpoint(method: string, segs: readonly string[]): Endpoint {
  // Flat copy: the shape is built from slices of the input line, which would pin its block.
  const key = keepText(`${method} ${shapeOf(segs)}`, UNKNOWN_SHAPE_CHARS);
  let e = unknownCache.get(key);
  if (e === undefined) {
    // Synapse's root OptionsResource answers OPTIONS for every path, known or not.
    e = endpoint(method === 'OPTIONS' ? 'OptionsResource' : key, key, areaOf(segs), false);
    if (unknownCache.size < UNKNOWN_CACHE_CAP) unknownCache.set(key, e);
  }
  return e;
}

// Fixed resources (any method reaches the same resource class, as in Synapse).
const fixedCache = new Map<string, Endpoint>();

function fixedEndpoint(servlet: string, path: string, area: EndpointArea, method: string): Endpoint {
  const route = `${method} ${path}`;
  let e = fixedCache.get(route);
  if (e === undefined) {
    e = endpoint(servlet, route, area, false);
    if (fixedCache.size < UNKNOWN_CACHE_CAP) fixedCache.set(route, e);
  }
  return e;
}

function optionsEndpoint(term: Terminal, area: EndpointArea): Endpoint {
  term.options ??= endpoint('OptionsResource', `OPTIONS ${term.path}`, area, false);
  return term.options;
}

// ---------------------------------------------------------------------------------------
// Classification (segment indexes are 0-based over the current path)
// ---------------------------------------------------------------------------------------

/** Match the path below a trie prefix; OPTIONS gets the route shape with OptionsResource. */
function viaTrie(trie: TrieNode, first: number, method: string, area: EndpointArea): Endpoint | null {
  if (method === 'OPTIONS') {
    const t = matchTrie(trie, first, ANY);
    return t === null ? null : optionsEndpoint(t, area);
  }
  const t = matchTrie(trie, first, method);
  return t === null ? null : (t.byMethod.get(method) ?? null);
}

/** OPTIONS on resources below Synapse's root OptionsResource are answered by it. */
function oname(method: string, servlet: string): string {
  return method === 'OPTIONS' ? 'OptionsResource' : servlet;
}

function classifyClient(method: string): Endpoint | null {
  if (nSegs === 3 && segIs(2, 'versions')) {
    return method === 'GET' || method === 'OPTIONS' ? fixedEndpoint(oname(method, 'VersionsRestServlet'), '/_matrix/client/versions', 'client', method) : null;
  }
  let first: number;
  if (segIs(2, 'api') && nSegs > 3 && segIs(3, 'v1')) first = 4;
  else if (nSegs > 2 && isVersionAt(2)) first = 3;
  else return null;
  const area: EndpointArea = first < nSegs && segIs(first, 'media') ? 'media' : 'client';
  const hit = viaTrie(CLIENT_TRIE, first, method, area);
  if (hit !== null) return hit;
  // Unknown unstable namespace (`unstable/org.matrix.mscNNNN/...`): MSC prefixes mostly
  // front the stable servlet, so try the rest of the path without it, unless the full path
  // is a known route asked with the wrong method (that is unrecognised, as in Synapse).
  if (segIs(2, 'unstable') && nSegs > first + 1 && segAt(first).indexOf('.msc') !== -1) {
    if (matchTrie(CLIENT_TRIE, first, ANY) !== null) return null;
    return viaTrie(CLIENT_TRIE, first + 1, method, area);
  }
  return null;
}

function classifyReplication(method: string): Endpoint | null {
  if (nSegs < 3) return null;
  const name = segAt(2);
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) return null;
  let servlet = REPLICATION_SERVLETS[name] ?? `replication:${name}`;
  // Synapse bug: ReplicationRemovePusherRestServlet reuses NAME "add_user_account_data",
  // with one path arg (user_id) where account data has two (user_id, type).
  if (name === 'add_user_account_data' && nSegs === 4) servlet = 'ReplicationRemovePusherRestServlet';
  let path = `/_synapse/replication/${name}`;
  for (let i = 3; i < nSegs && i < 7; i++) path += '/{arg}';
  return fixedEndpoint(oname(method, servlet), path, 'replication', method);
}

function classifySynapseClient(method: string): Endpoint | null {
  if (nSegs < 3) return null;
  const a = segAt(2);
  if (nSegs > 3) {
    const two = `${a}/${segAt(3)}`;
    const servlet = SYNAPSE_CLIENT_SERVLETS[two];
    if (servlet !== undefined) return fixedEndpoint(oname(method, servlet), `/_synapse/client/${two}`, 'client', method);
  }
  const servlet = SYNAPSE_CLIENT_SERVLETS[a];
  if (servlet === undefined) return null;
  return fixedEndpoint(oname(method, servlet), `/_synapse/client/${a}`, 'client', method);
}

/** `method` is the lookup method (HEAD already mapped to GET). */
function classifyCurrent(method: string): Endpoint | null {
  if (segIs(0, '_matrix')) {
    if (nSegs < 2) return null;
    if (segIs(1, 'client')) return classifyClient(method);
    if (segIs(1, 'federation')) return viaTrie(FEDERATION_TRIE, 2, method, 'federation');
    if (segIs(1, 'media')) {
      return nSegs > 2 && (segIs(2, 'v3') || segIs(2, 'r0') || segIs(2, 'v1')) ? viaTrie(MEDIA_TRIE, 3, method, 'media') : null;
    }
    if (segIs(1, 'key')) return nSegs > 2 && segIs(2, 'v2') ? viaTrie(KEY_TRIE, 3, method, 'key') : null;
    if (segIs(1, 'consent') && nSegs === 2) {
      return fixedEndpoint(oname(method, 'ConsentResource'), '/_matrix/consent', 'other', method);
    }
    return null;
  }
  if (segIs(0, '_synapse')) {
    if (nSegs < 2) return null;
    if (segIs(1, 'admin')) return viaTrie(ADMIN_TRIE, 2, method, 'admin');
    if (segIs(1, 'replication')) return classifyReplication(method);
    if (segIs(1, 'client')) return classifySynapseClient(method);
    if (segIs(1, 'metrics') && nSegs === 2) return fixedEndpoint('MetricsResource', '/_synapse/metrics', 'metrics', method);
    return null;
  }
  if (nSegs === 3 && segIs(0, '.well-known') && segIs(1, 'matrix')) {
    if (segIs(2, 'client')) {
      return fixedEndpoint(oname(method, 'ClientWellKnownResource'), '/.well-known/matrix/client', 'well-known', method);
    }
    if (segIs(2, 'server')) {
      return fixedEndpoint(oname(method, 'ServerWellKnownResource'), '/.well-known/matrix/server', 'well-known', method);
    }
    return null;
  }
  if (nSegs === 1) {
    if (segIs(0, 'health')) return fixedEndpoint(oname(method, 'HealthResource'), '/health', 'health', method);
    // The metrics listener is a separate plain resource tree (no OptionsResource root).
    if (segIs(0, 'metrics')) return fixedEndpoint('MetricsResource', '/metrics', 'metrics', method);
  }
  return null;
}

// HEAD variants of GET endpoints (same servlet, route keeps the real method).
const headCache = new Map<Endpoint, Endpoint>();

function asHead(e: Endpoint): Endpoint {
  let h = headCache.get(e);
  if (h === undefined) {
    h = endpoint(e.servlet, `HEAD${e.route.slice(3)}`, e.area, e.longPoll);
    if (headCache.size < UNKNOWN_CACHE_CAP) headCache.set(e, h);
  }
  return h;
}

/** `path` starts with '/', has no query and no trailing slash (except the root). */
function classifyPath(method: string, path: string): Endpoint {
  // HEAD is routed to the GET servlet, as Synapse's JsonResource does.
  const isHead = method === 'HEAD';
  const hit = scanPath(path) ? classifyCurrent(isHead ? 'GET' : method) : null;
  if (hit === null) return unknownEndpoint(method, path.split('/'));
  return isHead && hit.route.startsWith('GET ') ? asHead(hit) : hit;
}

// Direct-mapped memo on (method, raw path without query): repeated paths (/sync,
// /keys/query, per-room /messages) skip the walk. A path takes its slot only when it misses
// twice in a row there (memoPending): about half of all requests have a path seen once (txn
// IDs, event IDs), and those then cost no copy and evict nothing.
const MEMO_SIZE = 4096; // power of two
const MEMO_PATH_CHARS = 1024;
const memoPath: string[] = new Array<string>(MEMO_SIZE).fill('');
const memoMethod: string[] = new Array<string>(MEMO_SIZE).fill('');
const memoEndpoint: (Endpoint | null)[] = new Array<Endpoint | null>(MEMO_SIZE).fill(null);
/** Hash of the last path that missed in each slot and was not kept. */
const memoPending = new Int32Array(MEMO_SIZE);
/** The slot's endpoint with a `timeout=` value, and that value: /sync asks with the same one again and again. */
const memoTimed: (Endpoint | null)[] = new Array<Endpoint | null>(MEMO_SIZE).fill(null);
const memoTimeoutMs: number[] = new Array<number>(MEMO_SIZE).fill(-1);
/** Slot of the last memoised() answer, -1 when it is not in the memo. */
let memoLastSlot = -1;

/** Cheap hash over the length and a sample of characters (IDs differ at end and middle). */
function memoHash(method: string, path: string): number {
  const n = path.length;
  let h = Math.imul(n, 0x9e3779b1) ^ method.charCodeAt(0);
  const tail = n > 16 ? n - 16 : 0;
  for (let i = n - 1; i >= tail; i--) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  for (let i = n >> 1, stop = Math.min(n, (n >> 1) + 8); i < stop; i++) {
    h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  }
  for (let i = n >> 2, stop = Math.min(n, (n >> 2) + 8); i < stop; i++) {
    h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  }
  return h ^ (h >>> 15);
}

function memoised(method: string, path: string): Endpoint {
  const hash = memoHash(method, path);
  const slot = hash & (MEMO_SIZE - 1);
  const hit = memoEndpoint[slot];
  if (hit !== null && hit !== undefined && memoPath[slot] === path && memoMethod[slot] === method) {
    memoLastSlot = slot;
    return hit;
  }
  memoLastSlot = -1;
  const e = classifyPath(method, path);
  if (path.length > MEMO_PATH_CHARS) return e; // rare, and would make the memo as big as the paths
  if (memoPending[slot] !== hash) {
    memoPending[slot] = hash;
    return e;
  }
  // Copies, so the memo does not keep the input's read blocks alive (core/strings.ts).
  memoPath[slot] = detach(path);
  memoMethod[slot] = detach(method);
  memoEndpoint[slot] = e;
  memoTimed[slot] = null;
  memoLastSlot = slot;
  return e;
}

/** `e` with a `timeout=` value; the memo's slot keeps the last one made. */
function withTimeout(e: Endpoint, timeoutMs: number): Endpoint {
  const slot = memoLastSlot;
  if (slot !== -1) {
    const kept = memoTimed[slot];
    if (kept !== null && kept !== undefined && memoTimeoutMs[slot] === timeoutMs) return kept;
  }
  const timed: Endpoint = { servlet: e.servlet, route: e.route, area: e.area, longPoll: e.longPoll, timeoutMs };
  if (slot !== -1) {
    memoTimed[slot] = timed;
    memoTimeoutMs[slot] = timeoutMs;
  }
  return timed;
}

function normaliseMethod(method: string): string {
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c >= 97 && c <= 122) return method.toUpperCase();
  }
  return method;
}

/**
 * Classify one request. `uri` is the request target as logged (path, optional query; an
 * absolute `http(s)://host/…` form is accepted too). Never throws.
 */
export function classifyEndpoint(method: string, uri: string): Endpoint {
  const m = normaliseMethod(method);
  const q = uri.indexOf('?');
  let path = q === -1 ? uri : uri.slice(0, q);
  if (path.charCodeAt(0) !== 47 /* / */) {
    // Absolute-form request target, or garbage: keep the path part only.
    const scheme = path.indexOf('://');
    if (scheme !== -1) {
      const slash = path.indexOf('/', scheme + 3);
      path = slash === -1 ? '/' : path.slice(slash);
    } else {
      path = `/${path}`;
    }
  }
  // Tolerate trailing slashes (`/pushrules/`, `/send/<txn>/`) but keep the root.
  if (path.length > 1 && path.charCodeAt(path.length - 1) === 47) {
    let end = path.length - 1;
    while (end > 1 && path.charCodeAt(end - 1) === 47) end--;
    path = path.slice(0, end);
  }
  const e = memoised(m, path);
  if (q === -1) return e;
  const timeoutMs = parseTimeout(uri, q + 1);
  return timeoutMs === null ? e : withTimeout(e, timeoutMs);
}

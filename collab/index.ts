/**
 * collab's public face: the only module of collab/ that code outside it imports. The host
 * (server/) builds a collab server with its own access implementation and limits, attaches
 * its upgrade handler and hands its LiveDiagrams to the REST layer.
 */
export type { CollabAccess, CollabPeer, LiveCredentialIds, UpgradeAuthentication } from './access';
export { createRedisBus, type RedisBusOptions } from './bus';
export { CloseCode, type CloseCodeValue } from './close-codes';
export {
  createCollabServer,
  type CollabBusAttachment,
  type CollabServer,
  type CollabServerDeps,
} from './collab-server';
export type { CollabLimits } from './limits';
export {
  createStoredDiagrams,
  DiagramNotFoundError,
  type AccessChange,
  type LiveDiagrams,
} from './live-diagrams';
export {
  NO_COLLAB_METRICS,
  type CollabMessageKind,
  type CollabMetrics,
  type RefusedFrameReason,
} from './metrics';
export { loadDocument, type LoadedDocument } from './persistence';
export { touchesServerOwnedRoots } from './server-owned';
export { validateLiveUpdate, type LiveVerdict } from './update-rules';
export { describeLiveEdit } from './live-audit';
export { recordVersion, snapshotThreats, type NewVersion } from './versions';

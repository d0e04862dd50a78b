import type { Router } from '../router.js';

/**
 * RabbitMQ's feature flags let a cluster's nodes of different versions agree on what they may use; a
 * Warren node has no such features to gate, so the list is empty (and so never shows one disabled).
 */
export function featureFlagRoutes(r: Router): void {
  r.list('/api/feature-flags', 'administrator', ['name'], () => []);
}

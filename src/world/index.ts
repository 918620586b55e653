/**
 * The mini-Internet (`outpost world`, `startTestWorld`): a generated world of root, TLD,
 * organisation name servers, a resolver and two organisations' mail and web servers on loopback.
 */
export { World, type StartWorldOptions } from './world.js';
export { generateWorld, type GeneratedWorld } from './generate.js';
export {
  worldPlan,
  worldPorts,
  defaultPortOffset,
  UNPRIVILEGED_PORT_OFFSET,
  type WorldPlan,
  type WorldPlanOptions,
  type WorldPorts,
  type WorldOrg,
} from './plan.js';
export {
  loadWorldFile,
  parseWorldText,
  worldFileText,
  WORLD_FILE,
  type WorldSuiteConfig,
} from './world-file.js';
export { formatWorldTable, type WorldHostRow } from './hosts.js';

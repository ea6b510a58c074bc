/**
 * Labels and annotations the middleware platform puts on what it creates, so that pods, components and
 * workload sets of one instance can be found by selector, and the status agent's report is readable.
 */
export const APPLICATION_LABEL = 'middleware.fleetgraph.io/application';
export const COMPONENT_LABEL = 'middleware.fleetgraph.io/component';
export const WORKLOADSET_LABEL = 'middleware.fleetgraph.io/workloadset';
export const TYPE_LABEL = 'middleware.fleetgraph.io/type';
/** Written by the status agent: `primary` or `replica` (seed 002 §3: state reported through annotations). */
export const ROLE_ANNOTATION = 'middleware.fleetgraph.io/role';
/** When the process manager last restarted the middleware process in this pod (Restart keeps the pod). */
export const RESTARTED_AT_ANNOTATION = 'middleware.fleetgraph.io/process-restarted-at';
/** The middleware configuration generation the pod's processes run with (Reload bumps it). */
export const CONFIG_GENERATION_ANNOTATION = 'middleware.fleetgraph.io/config-generation';
/** Marks an Operation's steps log and the controller's writes in managedFields. */
export const MIDDLEWARE_MANAGER = 'middleware-controller';

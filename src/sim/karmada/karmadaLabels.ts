/**
 * The label and annotation keys karmada-controller-manager writes on templates, bindings, works and member
 * objects (the well_known_constants.go files of pkg/apis), so that the gateway's trace pod → binding → policy reads the
 * same keys on the simulator as on a real fleet.
 */
export const PP_PERMANENT_ID = 'propagationpolicy.karmada.io/permanent-id';
export const PP_NAME = 'propagationpolicy.karmada.io/name';
export const PP_NAMESPACE = 'propagationpolicy.karmada.io/namespace';
export const CPP_PERMANENT_ID = 'clusterpropagationpolicy.karmada.io/permanent-id';
export const CPP_NAME = 'clusterpropagationpolicy.karmada.io/name';

export const RB_PERMANENT_ID = 'resourcebinding.karmada.io/permanent-id';
export const RB_NAME = 'resourcebinding.karmada.io/name';
export const RB_NAMESPACE = 'resourcebinding.karmada.io/namespace';
export const CRB_PERMANENT_ID = 'clusterresourcebinding.karmada.io/permanent-id';
export const CRB_NAME = 'clusterresourcebinding.karmada.io/name';

export const WORK_PERMANENT_ID = 'work.karmada.io/permanent-id';
export const WORK_NAME = 'work.karmada.io/name';
export const WORK_NAMESPACE = 'work.karmada.io/namespace';
export const MANAGED = 'karmada.io/managed';
export const TEMPLATE_UID = 'resourcetemplate.karmada.io/uid';
/** The generation of the resource template a member object was derived from (Karmada writes it into each Work's manifest). */
export const TEMPLATE_GENERATION = 'resourcetemplate.karmada.io/generation';
/** How the execution controller treats an object already on the member that Karmada did not create. */
export const CONFLICT_RESOLUTION = 'work.karmada.io/conflict-resolution';
export const APPLIED_OVERRIDES = 'policy.karmada.io/applied-overrides';
export const APPLIED_CLUSTER_OVERRIDES = 'policy.karmada.io/applied-cluster-overrides';

/** Taints the cluster controller puts on clusters that are not ready / not reachable. */
export const TAINT_NOT_READY = 'cluster.karmada.io/not-ready';
export const TAINT_UNREACHABLE = 'cluster.karmada.io/unreachable';

/** Prefix of the namespace holding a member's Works on the control plane. */
export const EXECUTION_SPACE_PREFIX = 'karmada-es-';

/** The field manager name controllers write with (managedFields), as the real process names itself. */
export const CONTROLLER_MANAGER = 'karmada-controller-manager';
export const SCHEDULER = 'karmada-scheduler';

/**
 * What an operator installs on the Karmada control plane before the gateway's replicas can share their
 * Operations (issue 14): the FleetOperation CRD, read from deploy/crds (the one source of its schema) and
 * created through the control plane's API path for CRDs — so that the kind is served exactly as after
 * `kubectl apply -f deploy/crds/fleetgraph.io_fleetoperations.yaml` — and the gateway's default Operations
 * namespace, `fleetgraph-system`. The gateway never creates either; a scenario started with
 * `operationsCrd: false` (`fleetgraph sim --no-operations-crd`) leaves the CRD out, for tests of the gateway's
 * fallback to in-process Operations.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { CRD_RESOURCE } from '../resources/customResourceTypes.js';

/** deploy/, from the package root (src/ and dist/ are both two levels below). */
const CRD_URL = new URL('../../../deploy/crds/fleetgraph.io_fleetoperations.yaml', import.meta.url);

/** The gateway's default namespace for its FleetOperations and their Leases. */
export const OPERATIONS_NAMESPACE = 'fleetgraph-system';
export const FLEET_OPERATIONS_CRD = 'fleetoperations.fleetgraph.io';
/** The store key (and `/apis/...` path part) of FleetOperations once the CRD is served. */
export const FLEET_OPERATIONS = 'fleetgraph.io/fleetoperations';

/** The CRD as deploy/ ships it. */
export function fleetOperationsCrd(): KubeObject {
  return yaml.load(readFileSync(CRD_URL, 'utf8')) as KubeObject;
}

/**
 * Installs the FleetOperation CRD (unless `crd` is false) and the `fleetgraph-system` namespace on the
 * control plane; both are left as they are when present (a restored store, or deploy/ applied already).
 */
export function installOperationsCrd(controlPlane: SimCluster, crd = true): void {
  if (!controlPlane.objects.get('namespaces', undefined, OPERATIONS_NAMESPACE)) {
    controlPlane.objects.create('namespaces', {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: OPERATIONS_NAMESPACE, labels: { 'kubernetes.io/metadata.name': OPERATIONS_NAMESPACE } },
    }, { manager: 'kubectl-create' });
  }
  if (!crd || controlPlane.objects.get(CRD_RESOURCE, undefined, FLEET_OPERATIONS_CRD)) return;
  controlPlane.objects.create(CRD_RESOURCE, fleetOperationsCrd(), { manager: 'kubectl-client-side-apply' });
}

/**
 * core/v1 storage: pod volume sources, PersistentVolume and PersistentVolumeClaim.
 * Common sources are modelled field by field; rare in-tree drivers are free-form so that
 * manifests using them are never rejected as unknown.
 *
 * @module
 */
import {
  arr,
  bool,
  conditions,
  int32,
  int64,
  kindWithList,
  map,
  META,
  obj,
  preserve,
  quantity,
  ref,
  str,
  strs,
  time,
} from "../dsl.ts";
import type { Schema, SchemaSet } from "../types.ts";
import { CORE, core, CORE_PKG } from "./core_container.ts";

const v1 = { group: "", version: "v1" };

/** In-tree drivers that pods and persistent volumes both accept and we do not model. */
const RARE_SOURCES = [
  "awsElasticBlockStore",
  "azureDisk",
  "azureFile",
  "cephfs",
  "cinder",
  "fc",
  "flexVolume",
  "flocker",
  "gcePersistentDisk",
  "glusterfs",
  "iscsi",
  "photonPersistentDisk",
  "portworxVolume",
  "quobyte",
  "rbd",
  "scaleIO",
  "storageos",
  "vsphereVolume",
];

function rareSources(): Record<string, Schema> {
  return Object.fromEntries(
    RARE_SOURCES.map((name) => [name, preserve(`A ${name} volume (legacy in-tree driver).`)]),
  );
}

const keyToPathItems = (): Schema =>
  arr(core("KeyToPath"), {
    description: "Keys to project and the paths they appear at; all keys when empty.",
    listType: "atomic",
  });

const pvcSpecFields = (): Record<string, Schema> => ({
  accessModes: strs("ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod."),
  dataSource: core("TypedLocalObjectReference", "Snapshot or claim to populate the volume from."),
  dataSourceRef: core("TypedObjectReference", "Populator object to fill the volume from."),
  resources: core("VolumeResourceRequirements", "Minimum storage the volume must have."),
  selector: ref(`${META}LabelSelector`, "Labels of volumes the claim may bind to."),
  storageClassName: str("StorageClass to provision from; empty string disables it."),
  volumeAttributesClassName: str("VolumeAttributesClass of the volume."),
  volumeMode: str("Filesystem or Block."),
  volumeName: str("PersistentVolume to bind to."),
});

/** Volume and persistent storage schemas of core/v1. */
export const CORE_VOLUME_SCHEMAS: SchemaSet = {
  [`${CORE}Volume`]: obj({
    ...rareSources(),
    configMap: core("ConfigMapVolumeSource", "Files from a ConfigMap."),
    csi: core("CSIVolumeSource", "An ephemeral volume from a CSI driver."),
    downwardAPI: core("DownwardAPIVolumeSource", "Files with pod metadata."),
    emptyDir: core("EmptyDirVolumeSource", "A scratch directory that lives as long as the pod."),
    ephemeral: core("EphemeralVolumeSource", "A claim created with and deleted with the pod."),
    gitRepo: preserve("Deprecated git checkout volume."),
    hostPath: core("HostPathVolumeSource", "A file or directory of the node."),
    image: core("ImageVolumeSource", "The contents of an OCI image."),
    name: str("Name of the volume, unique in the pod (DNS label)."),
    nfs: core("NFSVolumeSource", "An NFS export."),
    persistentVolumeClaim: core(
      "PersistentVolumeClaimVolumeSource",
      "A claim in the pod's namespace.",
    ),
    projected: core("ProjectedVolumeSource", "Several sources in one directory."),
    secret: core("SecretVolumeSource", "Files from a Secret."),
  }, { description: "A named volume the pod's containers may mount.", required: ["name"] }),
  [`${CORE}KeyToPath`]: obj({
    key: str("Key to project."),
    mode: int32("File mode bits, 0000 to 0777."),
    path: str("Relative path of the file."),
  }, { description: "Maps a key to a file path.", required: ["key", "path"] }),
  [`${CORE}ConfigMapVolumeSource`]: obj({
    defaultMode: int32("Mode bits of the created files; 0644 by default."),
    items: keyToPathItems(),
    name: str("Name of the ConfigMap."),
    optional: bool("Whether the ConfigMap may be missing."),
  }, { description: "Files from a ConfigMap." }),
  [`${CORE}SecretVolumeSource`]: obj({
    defaultMode: int32("Mode bits of the created files; 0644 by default."),
    items: keyToPathItems(),
    optional: bool("Whether the Secret may be missing."),
    secretName: str("Name of the Secret."),
  }, { description: "Files from a Secret." }),
  [`${CORE}EmptyDirVolumeSource`]: obj({
    medium: str("Storage medium: empty for the node's default, or Memory."),
    sizeLimit: quantity("Maximum size of the directory."),
  }, { description: "An empty directory for the pod's lifetime." }),
  [`${CORE}HostPathVolumeSource`]: obj({
    path: str("Path on the node."),
    type: str("Expected type: Directory, DirectoryOrCreate, File, FileOrCreate, Socket, ..."),
  }, { description: "A path of the node.", required: ["path"] }),
  [`${CORE}PersistentVolumeClaimVolumeSource`]: obj({
    claimName: str("Name of the claim."),
    readOnly: bool("Mounts read-only."),
  }, { description: "Mounts a PersistentVolumeClaim.", required: ["claimName"] }),
  [`${CORE}NFSVolumeSource`]: obj({
    path: str("Exported path."),
    readOnly: bool("Mounts read-only."),
    server: str("NFS server host or IP."),
  }, { description: "An NFS mount.", required: ["server", "path"] }),
  [`${CORE}CSIVolumeSource`]: obj({
    driver: str("Name of the CSI driver."),
    fsType: str("Filesystem type."),
    nodePublishSecretRef: core("LocalObjectReference", "Secret passed to the driver."),
    readOnly: bool("Mounts read-only."),
    volumeAttributes: map(str(), "Driver-specific properties."),
  }, { description: "An inline CSI volume.", required: ["driver"] }),
  [`${CORE}ImageVolumeSource`]: obj({
    pullPolicy: str("Always, Never or IfNotPresent."),
    reference: str("Image reference."),
  }, { description: "An OCI image mounted as a volume." }),
  [`${CORE}EphemeralVolumeSource`]: obj({
    volumeClaimTemplate: core("PersistentVolumeClaimTemplate", "Template of the claim to create."),
  }, { description: "A per-pod volume provisioned through a claim." }),
  [`${CORE}PersistentVolumeClaimTemplate`]: obj({
    metadata: ref(`${META}ObjectMeta`, "Labels and annotations copied to the claim."),
    spec: core("PersistentVolumeClaimSpec", "Spec of the claim."),
  }, { description: "A claim created for an ephemeral volume.", required: ["spec"] }),
  [`${CORE}DownwardAPIVolumeSource`]: obj({
    defaultMode: int32("Mode bits of the created files."),
    items: arr(core("DownwardAPIVolumeFile"), {
      description: "Files to create.",
      listType: "atomic",
    }),
  }, { description: "Files with pod metadata." }),
  [`${CORE}DownwardAPIVolumeFile`]: obj({
    fieldRef: core("ObjectFieldSelector", "Pod field to write."),
    mode: int32("File mode bits."),
    path: str("Relative path of the file."),
    resourceFieldRef: core("ResourceFieldSelector", "Container resource to write."),
  }, { description: "One file of pod metadata.", required: ["path"] }),
  [`${CORE}ProjectedVolumeSource`]: obj({
    defaultMode: int32("Mode bits of the created files."),
    sources: arr(core("VolumeProjection"), {
      description: "Sources to project.",
      listType: "atomic",
    }),
  }, { description: "Several sources projected into one directory." }),
  [`${CORE}VolumeProjection`]: obj({
    clusterTrustBundle: core(
      "ClusterTrustBundleProjection",
      "Certificates of ClusterTrustBundles.",
    ),
    configMap: core("ConfigMapProjection", "Keys of a ConfigMap."),
    downwardAPI: core("DownwardAPIProjection", "Pod metadata."),
    secret: core("SecretProjection", "Keys of a Secret."),
    serviceAccountToken: core("ServiceAccountTokenProjection", "A bound service account token."),
  }, { description: "One source of a projected volume." }),
  [`${CORE}ConfigMapProjection`]: obj({
    items: keyToPathItems(),
    name: str("Name of the ConfigMap."),
    optional: bool("Whether the ConfigMap may be missing."),
  }, { description: "Projects a ConfigMap." }),
  [`${CORE}SecretProjection`]: obj({
    items: keyToPathItems(),
    name: str("Name of the Secret."),
    optional: bool("Whether the Secret may be missing."),
  }, { description: "Projects a Secret." }),
  [`${CORE}DownwardAPIProjection`]: obj({
    items: arr(core("DownwardAPIVolumeFile"), {
      description: "Files to create.",
      listType: "atomic",
    }),
  }, { description: "Projects pod metadata." }),
  [`${CORE}ServiceAccountTokenProjection`]: obj({
    audience: str("Intended audience of the token; the API server by default."),
    expirationSeconds: int64("Requested token lifetime in seconds."),
    path: str("Relative path of the token file."),
  }, { description: "Projects a service account token.", required: ["path"] }),
  [`${CORE}ClusterTrustBundleProjection`]: obj({
    labelSelector: ref(`${META}LabelSelector`, "Bundles selected by label."),
    name: str("Bundle selected by name."),
    optional: bool("Whether a missing bundle is tolerated."),
    path: str("Relative path of the file."),
    signerName: str("Bundles selected by signer."),
  }, { description: "Projects ClusterTrustBundle certificates.", required: ["path"] }),
  [`${CORE}TypedLocalObjectReference`]: obj({
    apiGroup: str("Group of the referent; core when empty."),
    kind: str("Kind of the referent."),
    name: str("Name of the referent."),
  }, {
    description: "A typed reference within the namespace.",
    required: ["kind", "name"],
    atomic: true,
  }),
  [`${CORE}TypedObjectReference`]: obj({
    apiGroup: str("Group of the referent; core when empty."),
    kind: str("Kind of the referent."),
    name: str("Name of the referent."),
    namespace: str("Namespace of the referent."),
  }, { description: "A typed reference to an object.", required: ["kind", "name"] }),
  [`${CORE}VolumeResourceRequirements`]: obj({
    limits: map(quantity(), "Maximum amounts."),
    requests: map(quantity(), "Minimum amounts, such as storage."),
  }, { description: "Storage resources of a claim." }),
  [`${CORE}SecretReference`]: obj({
    name: str("Name of the Secret."),
    namespace: str("Namespace of the Secret."),
  }, { description: "A Secret in any namespace.", atomic: true }),
  [`${CORE}LocalVolumeSource`]: obj({
    fsType: str("Filesystem type of a block device."),
    path: str("Full path on the node."),
  }, { description: "A local disk or directory.", required: ["path"] }),
  [`${CORE}VolumeNodeAffinity`]: obj({
    required: core("NodeSelector", "Nodes that can access the volume."),
  }, { description: "Nodes a volume is reachable from." }),
  [`${CORE}CSIPersistentVolumeSource`]: obj({
    controllerExpandSecretRef: core("SecretReference", "Secret for ControllerExpandVolume."),
    controllerPublishSecretRef: core("SecretReference", "Secret for ControllerPublishVolume."),
    driver: str("Name of the CSI driver."),
    fsType: str("Filesystem type."),
    nodeExpandSecretRef: core("SecretReference", "Secret for NodeExpandVolume."),
    nodePublishSecretRef: core("SecretReference", "Secret for NodePublishVolume."),
    nodeStageSecretRef: core("SecretReference", "Secret for NodeStageVolume."),
    readOnly: bool("Mounts read-only."),
    volumeAttributes: map(str(), "Driver-specific properties."),
    volumeHandle: str("Driver's identifier of the volume."),
  }, { description: "A volume managed by a CSI driver.", required: ["driver", "volumeHandle"] }),
  ...kindWithList(
    CORE_PKG,
    { ...v1, kind: "PersistentVolume" },
    "A piece of storage provisioned in the cluster.",
    {
      spec: core("PersistentVolumeSpec", "Capacity, access and source of the volume."),
      status: core("PersistentVolumeStatus", "Observed state of the volume."),
    },
  ),
  [`${CORE}PersistentVolumeSpec`]: obj({
    ...rareSources(),
    accessModes: strs("How the volume can be mounted."),
    capacity: map(quantity(), "Capacity, such as storage."),
    claimRef: core("ObjectReference", "The claim bound to this volume."),
    csi: core("CSIPersistentVolumeSource", "A CSI volume."),
    hostPath: core("HostPathVolumeSource", "A path of one node; for testing."),
    local: core("LocalVolumeSource", "A local disk."),
    mountOptions: strs("Mount options."),
    nfs: core("NFSVolumeSource", "An NFS export."),
    nodeAffinity: core("VolumeNodeAffinity", "Nodes the volume is reachable from."),
    persistentVolumeReclaimPolicy: str("Retain, Delete or Recycle."),
    storageClassName: str("StorageClass the volume belongs to."),
    volumeAttributesClassName: str("VolumeAttributesClass of the volume."),
    volumeMode: str("Filesystem or Block."),
  }, { description: "The desired state of a PersistentVolume." }),
  [`${CORE}PersistentVolumeStatus`]: obj({
    lastPhaseTransitionTime: time("When the phase last changed."),
    message: str("Why the volume is in this phase."),
    phase: str("Pending, Available, Bound, Released or Failed."),
    reason: str("Short reason for a failure."),
  }, { description: "The observed state of a PersistentVolume." }),
  ...kindWithList(
    CORE_PKG,
    { ...v1, kind: "PersistentVolumeClaim" },
    "A request for storage by a user.",
    {
      spec: core("PersistentVolumeClaimSpec", "The storage requested."),
      status: core("PersistentVolumeClaimStatus", "Observed state of the claim."),
    },
  ),
  [`${CORE}PersistentVolumeClaimSpec`]: obj(pvcSpecFields(), {
    description: "The storage a claim asks for.",
  }),
  [`${CORE}PersistentVolumeClaimStatus`]: obj({
    accessModes: strs("Access modes of the bound volume."),
    allocatedResourceStatuses: map(str(), "State of resize operations."),
    allocatedResources: map(quantity(), "Resources allocated to the claim."),
    capacity: map(quantity(), "Capacity of the bound volume."),
    conditions: conditions(`${CORE}PersistentVolumeClaimCondition`),
    currentVolumeAttributesClassName: str("VolumeAttributesClass in effect."),
    modifyVolumeStatus: preserve("State of a volume modification."),
    phase: str("Pending, Bound or Lost."),
  }, { description: "The observed state of a claim." }),
  [`${CORE}PersistentVolumeClaimCondition`]: obj({
    lastProbeTime: time("Last time the condition was probed."),
    lastTransitionTime: time("Last time the status changed."),
    message: str("Human-readable details."),
    reason: str("CamelCase reason."),
    status: str("True, False or Unknown."),
    type: str("Condition type, e.g. Resizing."),
  }, { description: "One aspect of a claim's state.", required: ["type", "status"] }),
};

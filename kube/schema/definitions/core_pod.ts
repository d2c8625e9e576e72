/**
 * core/v1 pods: Pod, PodSpec, PodStatus and scheduling (affinity, tolerations, spread).
 *
 * @module
 */
import {
  arr,
  bool,
  conditions,
  int32,
  int64,
  kind,
  kindWithList,
  map,
  META,
  namedList,
  obj,
  preserve,
  quantity,
  ref,
  str,
  strs,
  time,
} from "../dsl.ts";
import type { SchemaSet } from "../types.ts";
import { CORE, core, CORE_PKG } from "./core_container.ts";

const v1 = { group: "", version: "v1" };

const affinityTerms = (what: string) =>
  obj({
    preferredDuringSchedulingIgnoredDuringExecution: arr(core("WeightedPodAffinityTerm"), {
      description: `Soft ${what} rules; nodes score higher the more weights they satisfy.`,
      listType: "atomic",
    }),
    requiredDuringSchedulingIgnoredDuringExecution: arr(core("PodAffinityTerm"), {
      description: `Hard ${what} rules that must all hold at scheduling time.`,
      listType: "atomic",
    }),
  }, { description: `Inter-pod ${what} rules.` });

/** Pod-level schemas of core/v1. */
export const CORE_POD_SCHEMAS: SchemaSet = {
  ...kindWithList(
    CORE_PKG,
    { ...v1, kind: "Pod" },
    "A group of containers scheduled together on one node.",
    {
      spec: core("PodSpec", "Desired behaviour of the pod."),
      status: core("PodStatus", "Most recently observed state of the pod; read-only."),
    },
  ),
  [`${CORE}PodTemplateSpec`]: obj({
    metadata: ref(`${META}ObjectMeta`, "Metadata given to pods created from the template."),
    spec: core("PodSpec", "Spec of the pods created from the template."),
  }, { description: "The pod a controller creates." }),
  [`${CORE}PodSpec`]: obj({
    activeDeadlineSeconds: int64("Seconds the pod may run before the kubelet fails it."),
    affinity: core("Affinity", "Scheduling constraints."),
    automountServiceAccountToken: bool("Whether the service account token is mounted."),
    containers: namedList(core("Container"), "Containers of the pod; at least one."),
    dnsConfig: core("PodDNSConfig", "DNS settings merged with those of dnsPolicy."),
    dnsPolicy: str("ClusterFirst, ClusterFirstWithHostNet, Default or None."),
    enableServiceLinks: bool("Whether service environment variables are injected."),
    ephemeralContainers: namedList(
      core("EphemeralContainer"),
      "Debug containers added at run time.",
    ),
    hostAliases: arr(core("HostAlias"), {
      description: "Extra /etc/hosts entries.",
      mergeKey: "ip",
      strategy: "merge",
      mapKeys: ["ip"],
    }),
    hostIPC: bool("Uses the host's IPC namespace."),
    hostNetwork: bool("Uses the host's network namespace."),
    hostPID: bool("Uses the host's PID namespace."),
    hostUsers: bool("Uses the host's user namespace."),
    hostname: str("Hostname of the pod; the pod name by default."),
    imagePullSecrets: namedList(core("LocalObjectReference"), "Secrets used to pull images."),
    initContainers: namedList(
      core("Container"),
      "Containers run to completion, in order, before the others.",
    ),
    nodeName: str("Node the pod is bound to; set by the scheduler."),
    nodeSelector: map(str(), "Labels a node must have to run the pod.", { atomic: true }),
    os: core("PodOS", "Operating system the pod needs."),
    overhead: map(quantity(), "Resources the runtime class adds to the pod."),
    preemptionPolicy: str("Never or PreemptLowerPriority."),
    priority: int32("Priority value, resolved from priorityClassName."),
    priorityClassName: str("Name of the pod's PriorityClass."),
    readinessGates: arr(core("PodReadinessGate"), {
      description: "Extra conditions that must be true for the pod to be ready.",
      listType: "atomic",
    }),
    resourceClaims: arr(core("PodResourceClaim"), {
      description: "Dynamic resources the pod uses.",
      mergeKey: "name",
      strategy: "merge,retainKeys",
      mapKeys: ["name"],
    }),
    resources: core("ResourceRequirements", "Resources of the whole pod."),
    restartPolicy: str("Always, OnFailure or Never."),
    runtimeClassName: str("RuntimeClass used to run the pod."),
    schedulerName: str("Scheduler that places the pod."),
    schedulingGates: namedList(
      core("PodSchedulingGate"),
      "Gates that hold the pod back from scheduling.",
    ),
    securityContext: core("PodSecurityContext", "Pod-wide security options."),
    serviceAccount: str("Deprecated alias of serviceAccountName."),
    serviceAccountName: str("Service account the pod runs as."),
    setHostnameAsFQDN: bool("Sets the hostname to the fully qualified domain name."),
    shareProcessNamespace: bool("Puts all containers in one PID namespace."),
    subdomain: str("Subdomain of the pod's DNS name."),
    terminationGracePeriodSeconds: int64("Seconds between SIGTERM and SIGKILL on deletion."),
    tolerations: arr(core("Toleration"), {
      description: "Taints the pod tolerates.",
      listType: "atomic",
    }),
    topologySpreadConstraints: arr(core("TopologySpreadConstraint"), {
      description: "How pods spread across topology domains.",
      mergeKey: "topologyKey",
      strategy: "merge",
      mapKeys: ["topologyKey", "whenUnsatisfiable"],
    }),
    volumes: arr(core("Volume"), {
      description: "Volumes the containers can mount.",
      mergeKey: "name",
      strategy: "merge,retainKeys",
      mapKeys: ["name"],
    }),
  }, { description: "The desired state of a pod.", required: ["containers"] }),
  [`${CORE}LocalObjectReference`]: obj({
    name: str("Name of the referent."),
  }, { description: "Names an object in the same namespace.", atomic: true }),
  [`${CORE}ObjectReference`]: obj({
    apiVersion: str("API version of the referent."),
    fieldPath: str("A field within the referent, e.g. spec.containers{name}."),
    kind: str("Kind of the referent."),
    name: str("Name of the referent."),
    namespace: str("Namespace of the referent."),
    resourceVersion: str("Specific resourceVersion referred to."),
    uid: str("UID of the referent."),
  }, { description: "A reference to any object.", atomic: true }),
  [`${CORE}HostAlias`]: obj({
    hostnames: strs("Host names for the address."),
    ip: str("IP address."),
  }, { description: "An /etc/hosts entry.", required: ["ip"] }),
  [`${CORE}PodDNSConfig`]: obj({
    nameservers: strs("DNS server addresses."),
    options: arr(core("PodDNSConfigOption"), {
      description: "resolver options.",
      listType: "atomic",
    }),
    searches: strs("Search domains."),
  }, { description: "Extra DNS parameters of a pod." }),
  [`${CORE}PodDNSConfigOption`]: obj({
    name: str("Option name."),
    value: str("Option value."),
  }, { description: "A resolver option." }),
  [`${CORE}PodOS`]: obj({
    name: str("linux or windows."),
  }, { description: "Operating system of a pod.", required: ["name"] }),
  [`${CORE}PodReadinessGate`]: obj({
    conditionType: str("Pod condition type that must be true."),
  }, { description: "An extra readiness condition.", required: ["conditionType"] }),
  [`${CORE}PodSchedulingGate`]: obj({
    name: str("Name of the gate."),
  }, { description: "Holds a pod back from scheduling while present.", required: ["name"] }),
  [`${CORE}PodResourceClaim`]: obj({
    name: str("Name of the claim within the pod."),
    resourceClaimName: str("Existing ResourceClaim to use."),
    resourceClaimTemplateName: str("ResourceClaimTemplate to create a claim from."),
  }, { description: "A dynamic resource claim of a pod.", required: ["name"] }),
  [`${CORE}Toleration`]: obj({
    effect: str(
      "Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; all when empty.",
    ),
    key: str("Taint key to match; all keys when empty with Exists."),
    operator: str("Exists or Equal."),
    tolerationSeconds: int64("How long a NoExecute taint is tolerated."),
    value: str("Taint value to match."),
  }, { description: "Allows scheduling onto nodes with a matching taint." }),
  [`${CORE}TopologySpreadConstraint`]: obj({
    labelSelector: ref(`${META}LabelSelector`, "Pods counted when computing skew."),
    matchLabelKeys: strs("Label keys whose values are added to the selector."),
    maxSkew: int32("Maximum allowed difference in matching pods between domains."),
    minDomains: int32("Minimum number of eligible domains."),
    nodeAffinityPolicy: str("Honor or Ignore node affinity when computing skew."),
    nodeTaintsPolicy: str("Honor or Ignore node taints when computing skew."),
    topologyKey: str("Node label key whose values are the domains."),
    whenUnsatisfiable: str("DoNotSchedule or ScheduleAnyway."),
  }, {
    description: "How matching pods spread across domains.",
    required: ["maxSkew", "topologyKey", "whenUnsatisfiable"],
  }),
  [`${CORE}Affinity`]: obj({
    nodeAffinity: core("NodeAffinity", "Node affinity rules."),
    podAffinity: core("PodAffinity", "Rules to co-locate with other pods."),
    podAntiAffinity: core("PodAntiAffinity", "Rules to keep away from other pods."),
  }, { description: "Scheduling constraints of a pod." }),
  [`${CORE}NodeAffinity`]: obj({
    preferredDuringSchedulingIgnoredDuringExecution: arr(core("PreferredSchedulingTerm"), {
      description: "Soft node preferences with weights.",
      listType: "atomic",
    }),
    requiredDuringSchedulingIgnoredDuringExecution: core("NodeSelector", "Hard node requirements."),
  }, { description: "Node affinity rules." }),
  [`${CORE}PodAffinity`]: affinityTerms("affinity"),
  [`${CORE}PodAntiAffinity`]: affinityTerms("anti-affinity"),
  [`${CORE}PreferredSchedulingTerm`]: obj({
    preference: core("NodeSelectorTerm", "The node selector term."),
    weight: int32("Weight from 1 to 100."),
  }, { description: "A weighted node preference.", required: ["weight", "preference"] }),
  [`${CORE}NodeSelector`]: obj({
    nodeSelectorTerms: arr(core("NodeSelectorTerm"), {
      description: "Terms ORed together.",
      listType: "atomic",
    }),
  }, { description: "A node query.", required: ["nodeSelectorTerms"], atomic: true }),
  [`${CORE}NodeSelectorTerm`]: obj({
    matchExpressions: arr(core("NodeSelectorRequirement"), {
      description: "Requirements on node labels.",
      listType: "atomic",
    }),
    matchFields: arr(core("NodeSelectorRequirement"), {
      description: "Requirements on node fields.",
      listType: "atomic",
    }),
  }, { description: "Requirements ANDed together.", atomic: true }),
  [`${CORE}NodeSelectorRequirement`]: obj({
    key: str("Label or field key."),
    operator: str("In, NotIn, Exists, DoesNotExist, Gt or Lt."),
    values: strs("Values to compare with."),
  }, { description: "A key, an operator and values.", required: ["key", "operator"] }),
  [`${CORE}WeightedPodAffinityTerm`]: obj({
    podAffinityTerm: core("PodAffinityTerm", "The pod affinity term."),
    weight: int32("Weight from 1 to 100."),
  }, { description: "A weighted pod affinity term.", required: ["weight", "podAffinityTerm"] }),
  [`${CORE}PodAffinityTerm`]: obj({
    labelSelector: ref(`${META}LabelSelector`, "Pods this term refers to."),
    matchLabelKeys: strs("Label keys whose values are added to labelSelector."),
    mismatchLabelKeys: strs("Label keys whose values are excluded via labelSelector."),
    namespaceSelector: ref(`${META}LabelSelector`, "Namespaces the term applies to."),
    namespaces: strs("Namespace names the term applies to."),
    topologyKey: str("Node label key defining co-location."),
  }, { description: "Pods to be (or not be) co-located with.", required: ["topologyKey"] }),
  [`${CORE}PodStatus`]: obj({
    conditions: conditions(`${CORE}PodCondition`, "Current service state of the pod."),
    containerStatuses: arr(core("ContainerStatus"), {
      description: "One entry per container.",
      listType: "atomic",
    }),
    ephemeralContainerStatuses: arr(core("ContainerStatus"), {
      description: "One entry per ephemeral container.",
      listType: "atomic",
    }),
    hostIP: str("Primary IP of the node."),
    hostIPs: arr(core("HostIP"), {
      description: "IPs of the node.",
      mergeKey: "ip",
      strategy: "merge",
      listType: "atomic",
    }),
    initContainerStatuses: arr(core("ContainerStatus"), {
      description: "One entry per init container.",
      listType: "atomic",
    }),
    message: str("Why the pod is in this state."),
    nominatedNodeName: str("Node the pod may run on after preemption."),
    observedGeneration: int64("The metadata.generation this status was computed from."),
    phase: str("Pending, Running, Succeeded, Failed or Unknown."),
    podIP: str("Primary IP of the pod."),
    podIPs: arr(core("PodIP"), {
      description: "IPs of the pod.",
      mergeKey: "ip",
      strategy: "merge",
      mapKeys: ["ip"],
    }),
    qosClass: str("Guaranteed, Burstable or BestEffort."),
    reason: str("Short reason, e.g. Evicted."),
    resize: str("State of an in-place resize."),
    resourceClaimStatuses: arr(preserve(), {
      description: "Generated names of resource claims.",
      mergeKey: "name",
      strategy: "merge,retainKeys",
      mapKeys: ["name"],
    }),
    startTime: time("When the kubelet accepted the pod."),
  }, { description: "The observed state of a pod." }),
  [`${CORE}PodCondition`]: obj({
    lastProbeTime: time("Last time the condition was probed."),
    lastTransitionTime: time("Last time the status changed."),
    message: str("Human-readable details."),
    observedGeneration: int64("The metadata.generation this was computed from."),
    reason: str("CamelCase reason."),
    status: str("True, False or Unknown."),
    type: str("PodScheduled, Initialized, ContainersReady, Ready, ..."),
  }, { description: "One aspect of a pod's state.", required: ["type", "status"] }),
  [`${CORE}PodIP`]: obj({ ip: str("An IP address.") }, {
    description: "An IP of a pod.",
    required: ["ip"],
  }),
  [`${CORE}HostIP`]: obj({ ip: str("An IP address.") }, {
    description: "An IP of a node.",
    required: ["ip"],
  }),
  [`${CORE}Binding`]: kind({ ...v1, kind: "Binding" }, "Binds a pod to a node.", {
    target: core("ObjectReference", "The node to bind to."),
  }, { required: ["target"] }),
};

/**
 * core/v1 cluster and configuration kinds: Namespace, Node, Service, Endpoints, ConfigMap,
 * Secret, ServiceAccount and Event. Pods, containers and volumes have their own files.
 *
 * @module
 */
import {
  arr,
  bool,
  bytes,
  conditions,
  int32,
  int64,
  intOrString,
  kindWithList,
  map,
  META,
  microTime,
  namedList,
  obj,
  preserve,
  quantity,
  str,
  strs,
  time,
} from "../dsl.ts";
import type { SchemaSet } from "../types.ts";
import { CORE, core, CORE_CONTAINER_SCHEMAS, CORE_PKG } from "./core_container.ts";
import { CORE_POD_SCHEMAS } from "./core_pod.ts";
import { CORE_VOLUME_SCHEMAS } from "./core_volume.ts";

const v1 = { group: "", version: "v1" };

const CLUSTER_SCHEMAS: SchemaSet = {
  ...kindWithList(
    CORE_PKG,
    { ...v1, kind: "Namespace" },
    "A scope for names of namespaced objects.",
    {
      spec: core("NamespaceSpec", "Finalizers of the namespace."),
      status: core("NamespaceStatus", "Phase and conditions of the namespace."),
    },
  ),
  [`${CORE}NamespaceSpec`]: obj({
    finalizers: strs("Values that must be cleared before the namespace is removed."),
  }, { description: "The desired state of a namespace." }),
  [`${CORE}NamespaceStatus`]: obj({
    conditions: conditions(`${CORE}NamespaceCondition`),
    phase: str("Active or Terminating."),
  }, { description: "The observed state of a namespace." }),
  [`${CORE}NamespaceCondition`]: obj({
    lastTransitionTime: time("Last time the status changed."),
    message: str("Human-readable details."),
    reason: str("CamelCase reason."),
    status: str("True, False or Unknown."),
    type: str("Condition type."),
  }, { description: "One aspect of a namespace's state.", required: ["type", "status"] }),
  ...kindWithList(CORE_PKG, { ...v1, kind: "Node" }, "A worker machine that runs pods.", {
    spec: core("NodeSpec", "How the node is configured."),
    status: core("NodeStatus", "Most recently observed state of the node."),
  }),
  [`${CORE}NodeSpec`]: obj({
    configSource: preserve("Deprecated dynamic kubelet configuration source."),
    externalID: str("Deprecated."),
    podCIDR: str("Pod IP range assigned to the node."),
    podCIDRs: arr(str(), {
      description: "Pod IP ranges assigned to the node, one per family.",
      strategy: "merge",
      listType: "set",
    }),
    providerID: str("Cloud provider ID of the node."),
    taints: arr(core("Taint"), { description: "Taints that repel pods.", listType: "atomic" }),
    unschedulable: bool("Keeps new pods off the node (cordon)."),
  }, { description: "The desired state of a node." }),
  [`${CORE}Taint`]: obj({
    effect: str("NoSchedule, PreferNoSchedule or NoExecute."),
    key: str("Taint key."),
    timeAdded: time("When a NoExecute taint was added."),
    value: str("Taint value."),
  }, { description: "Repels pods that do not tolerate it.", required: ["key", "effect"] }),
  [`${CORE}NodeStatus`]: obj({
    addresses: arr(core("NodeAddress"), {
      description: "Addresses the node is reachable at.",
      mergeKey: "type",
      strategy: "merge",
      mapKeys: ["type"],
    }),
    allocatable: map(quantity(), "Resources available to pods."),
    capacity: map(quantity(), "Total resources of the node."),
    conditions: conditions(
      `${CORE}NodeCondition`,
      "Ready, MemoryPressure, DiskPressure and others.",
    ),
    config: preserve("Status of the kubelet configuration."),
    daemonEndpoints: core("NodeDaemonEndpoints", "Ports of daemons on the node."),
    features: preserve("Features the node supports."),
    images: arr(core("ContainerImage"), {
      description: "Images present on the node.",
      listType: "atomic",
    }),
    nodeInfo: core("NodeSystemInfo", "Identity and versions of the node's software."),
    phase: str("Deprecated."),
    runtimeHandlers: arr(preserve(), {
      description: "Runtime handlers available.",
      listType: "atomic",
    }),
    volumesAttached: arr(core("AttachedVolume"), {
      description: "Volumes attached.",
      listType: "atomic",
    }),
    volumesInUse: strs("Volumes in use."),
  }, { description: "The observed state of a node." }),
  [`${CORE}NodeAddress`]: obj({
    address: str("The address."),
    type: str("Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS."),
  }, { description: "An address of a node.", required: ["type", "address"] }),
  [`${CORE}NodeCondition`]: obj({
    lastHeartbeatTime: time("Last time the condition was updated."),
    lastTransitionTime: time("Last time the status changed."),
    message: str("Human-readable details."),
    reason: str("CamelCase reason."),
    status: str("True, False or Unknown."),
    type: str("Condition type."),
  }, { description: "One aspect of a node's state.", required: ["type", "status"] }),
  [`${CORE}NodeDaemonEndpoints`]: obj({
    kubeletEndpoint: core("DaemonEndpoint", "Endpoint of the kubelet."),
  }, { description: "Ports of daemons on a node." }),
  [`${CORE}DaemonEndpoint`]: obj({
    Port: int32("Port number."),
  }, { description: "A daemon's port.", required: ["Port"] }),
  [`${CORE}ContainerImage`]: obj({
    names: strs("Names and digests of the image."),
    sizeBytes: int64("Size of the image."),
  }, { description: "An image on a node." }),
  [`${CORE}NodeSystemInfo`]: obj({
    architecture: str("CPU architecture."),
    bootID: str("Boot ID."),
    containerRuntimeVersion: str("Runtime name and version, e.g. containerd://1.7."),
    kernelVersion: str("Kernel version."),
    kubeProxyVersion: str("Deprecated."),
    kubeletVersion: str("Kubelet version."),
    machineID: str("Machine ID."),
    operatingSystem: str("Operating system."),
    osImage: str("OS image."),
    swap: preserve("Swap information."),
    systemUUID: str("System UUID."),
  }, {
    description: "Identity and software versions of a node.",
    required: [
      "machineID",
      "systemUUID",
      "bootID",
      "kernelVersion",
      "osImage",
      "containerRuntimeVersion",
      "kubeletVersion",
      "kubeProxyVersion",
      "operatingSystem",
      "architecture",
    ],
  }),
  [`${CORE}AttachedVolume`]: obj({
    devicePath: str("Device path of the volume."),
    name: str("Name of the volume."),
  }, { description: "A volume attached to a node.", required: ["name", "devicePath"] }),
};

const SERVICE_SCHEMAS: SchemaSet = {
  ...kindWithList(
    CORE_PKG,
    { ...v1, kind: "Service" },
    "A stable virtual address for a set of pods.",
    {
      spec: core("ServiceSpec", "Ports, selector and type of the service."),
      status: core("ServiceStatus", "Observed state, such as load balancer addresses."),
    },
  ),
  [`${CORE}ServiceSpec`]: obj({
    allocateLoadBalancerNodePorts: bool("Whether a LoadBalancer service gets node ports."),
    clusterIP: str("Virtual IP of the service; None for a headless service."),
    clusterIPs: strs("Virtual IPs, one per family."),
    externalIPs: strs("Extra IPs the nodes accept traffic for."),
    externalName: str("DNS name an ExternalName service aliases."),
    externalTrafficPolicy: str("Cluster or Local routing of external traffic."),
    healthCheckNodePort: int32("Node port for load balancer health checks."),
    internalTrafficPolicy: str("Cluster or Local routing of in-cluster traffic."),
    ipFamilies: strs("IPv4 and/or IPv6."),
    ipFamilyPolicy: str("SingleStack, PreferDualStack or RequireDualStack."),
    loadBalancerClass: str("Load balancer implementation to use."),
    loadBalancerIP: str("Deprecated requested load balancer IP."),
    loadBalancerSourceRanges: strs("Client CIDRs allowed through the load balancer."),
    ports: arr(core("ServicePort"), {
      description: "Ports the service exposes.",
      mergeKey: "port",
      strategy: "merge",
      mapKeys: ["port", "protocol"],
    }),
    publishNotReadyAddresses: bool("Publishes endpoints of pods that are not ready."),
    selector: map(str(), "Labels of the pods traffic goes to.", { atomic: true }),
    sessionAffinity: str("ClientIP or None."),
    sessionAffinityConfig: core("SessionAffinityConfig", "Session affinity settings."),
    trafficDistribution: str("Preference for routing, e.g. PreferClose."),
    type: str("ClusterIP, NodePort, LoadBalancer or ExternalName."),
  }, { description: "The desired state of a service." }),
  [`${CORE}ServicePort`]: obj({
    appProtocol: str("Application protocol of the port."),
    name: str("Name of the port, unique in the service."),
    nodePort: int32("Port on every node for NodePort and LoadBalancer services."),
    port: int32("Port the service listens on."),
    protocol: str("TCP, UDP or SCTP."),
    targetPort: intOrString("Number or name of the pod port traffic goes to."),
  }, { description: "A port of a service.", required: ["port"] }),
  [`${CORE}SessionAffinityConfig`]: obj({
    clientIP: core("ClientIPConfig", "ClientIP affinity settings."),
  }, { description: "Session affinity settings." }),
  [`${CORE}ClientIPConfig`]: obj({
    timeoutSeconds: int32("Seconds a session sticks."),
  }, { description: "ClientIP affinity settings." }),
  [`${CORE}ServiceStatus`]: obj({
    conditions: conditions(`${META}Condition`),
    loadBalancer: core("LoadBalancerStatus", "Load balancer addresses."),
  }, { description: "The observed state of a service." }),
  [`${CORE}LoadBalancerStatus`]: obj({
    ingress: arr(core("LoadBalancerIngress"), {
      description: "Ingress points.",
      listType: "atomic",
    }),
  }, { description: "Addresses of a load balancer." }),
  [`${CORE}LoadBalancerIngress`]: obj({
    hostname: str("DNS name of the ingress point."),
    ip: str("IP of the ingress point."),
    ipMode: str("VIP or Proxy."),
    ports: arr(core("PortStatus"), { description: "Port states.", listType: "atomic" }),
  }, { description: "A load balancer ingress point." }),
  [`${CORE}PortStatus`]: obj({
    error: str("Problem with the port, if any."),
    port: int32("Port number."),
    protocol: str("TCP, UDP or SCTP."),
  }, { description: "State of a service port.", required: ["port", "protocol"] }),
  ...kindWithList(CORE_PKG, { ...v1, kind: "Endpoints" }, "The addresses backing a service.", {
    subsets: arr(core("EndpointSubset"), {
      description: "Address and port groups.",
      listType: "atomic",
    }),
  }),
  [`${CORE}EndpointSubset`]: obj({
    addresses: arr(core("EndpointAddress"), {
      description: "Ready addresses.",
      listType: "atomic",
    }),
    notReadyAddresses: arr(core("EndpointAddress"), {
      description: "Addresses not ready yet.",
      listType: "atomic",
    }),
    ports: arr(core("EndpointPort"), {
      description: "Ports of the addresses.",
      listType: "atomic",
    }),
  }, { description: "Addresses sharing a set of ports." }),
  [`${CORE}EndpointAddress`]: obj({
    hostname: str("Hostname of the endpoint."),
    ip: str("IP of the endpoint."),
    nodeName: str("Node hosting the endpoint."),
    targetRef: core("ObjectReference", "The object providing the endpoint."),
  }, { description: "One endpoint address.", required: ["ip"], atomic: true }),
  [`${CORE}EndpointPort`]: obj({
    appProtocol: str("Application protocol."),
    name: str("Name matching the service port."),
    port: int32("Port number."),
    protocol: str("TCP, UDP or SCTP."),
  }, { description: "A port of the endpoints.", required: ["port"], atomic: true }),
};

const CONFIG_SCHEMAS: SchemaSet = {
  ...kindWithList(
    CORE_PKG,
    { ...v1, kind: "ConfigMap" },
    "Non-secret configuration data as key-value pairs.",
    {
      binaryData: map(bytes(), "Binary values, base64 encoded in JSON."),
      data: map(str(), "UTF-8 values."),
      immutable: bool("When true, data can no longer change."),
    },
  ),
  ...kindWithList(
    CORE_PKG,
    { ...v1, kind: "Secret" },
    "Sensitive data such as passwords, tokens or keys.",
    {
      data: map(bytes(), "Secret values, base64 encoded in JSON."),
      immutable: bool("When true, data can no longer change."),
      stringData: map(str(), "Write-only plain-text values merged into data."),
      type: str("How the data is used, e.g. Opaque or kubernetes.io/tls."),
    },
  ),
  ...kindWithList(
    CORE_PKG,
    { ...v1, kind: "ServiceAccount" },
    "An identity for processes that run in pods.",
    {
      automountServiceAccountToken: bool("Whether pods mount a token by default."),
      imagePullSecrets: arr(core("LocalObjectReference"), {
        description: "Secrets pods of this account use to pull images.",
        listType: "atomic",
      }),
      secrets: namedList(core("ObjectReference"), "Secrets pods of this account may use."),
    },
  ),
  ...kindWithList(
    CORE_PKG,
    { ...v1, kind: "Event" },
    "A report of something that happened to an object.",
    {
      action: str("What was done, or failed."),
      count: int32("How many times it happened."),
      eventTime: microTime("When it first happened."),
      firstTimestamp: time("When it was first recorded."),
      involvedObject: core("ObjectReference", "The object the event is about."),
      lastTimestamp: time("When it was most recently recorded."),
      message: str("Human-readable description."),
      reason: str("Short machine-readable reason."),
      related: core("ObjectReference", "A secondary object."),
      reportingComponent: str("Controller that emitted the event."),
      reportingInstance: str("Instance of that controller."),
      series: core("EventSeries", "Data of a repeating event."),
      source: core("EventSource", "Component that reported the event."),
      type: str("Normal or Warning."),
    },
    { required: ["metadata", "involvedObject"] },
  ),
  [`${CORE}EventSeries`]: obj({
    count: int32("Occurrences so far."),
    lastObservedTime: microTime("Time of the last occurrence."),
  }, { description: "A series of repeated events." }),
  [`${CORE}EventSource`]: obj({
    component: str("Component reporting the event."),
    host: str("Node the event came from."),
  }, { description: "The origin of an event." }),
  [`${CORE}TopologySelectorTerm`]: obj({
    matchLabelExpressions: arr(core("TopologySelectorLabelRequirement"), {
      description: "Label requirements ANDed together.",
      listType: "atomic",
    }),
  }, { description: "A topology domain query.", atomic: true }),
  [`${CORE}TopologySelectorLabelRequirement`]: obj({
    key: str("Label key."),
    values: strs("Allowed values."),
  }, { description: "A label and its allowed values.", required: ["key", "values"] }),
};

/** Every core/v1 schema. */
export const CORE_SCHEMAS: SchemaSet = {
  ...CORE_CONTAINER_SCHEMAS,
  ...CORE_POD_SCHEMAS,
  ...CORE_VOLUME_SCHEMAS,
  ...CLUSTER_SCHEMAS,
  ...SERVICE_SCHEMAS,
  ...CONFIG_SCHEMAS,
};

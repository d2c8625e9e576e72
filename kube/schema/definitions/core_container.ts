/**
 * core/v1 containers: Container, EphemeralContainer and what they hold (env, ports, probes,
 * lifecycle hooks, resources, security context), plus container status.
 *
 * @module
 */
import {
  arr,
  bool,
  int32,
  int64,
  intOrString,
  map,
  namedList,
  obj,
  preserve,
  quantity,
  ref,
  str,
  strs,
  time,
} from "../dsl.ts";
import type { Schema, SchemaSet } from "../types.ts";

/** Package of core/v1 schemas. */
export const CORE_PKG = "io.k8s.api.core.v1";
/** Name prefix of core/v1 schemas. */
export const CORE = `${CORE_PKG}.`;

/** A reference to a core/v1 schema. */
export function core(name: string, description?: string): Schema {
  return ref(CORE + name, description);
}

function containerFields(): Record<string, Schema> {
  return {
    args: strs("Arguments to the entrypoint; $(VAR) references are expanded."),
    command: strs("Entrypoint array, run without a shell; the image's ENTRYPOINT when empty."),
    env: namedList(core("EnvVar"), "Environment variables to set in the container."),
    envFrom: arr(core("EnvFromSource"), {
      description: "Sources whose keys all become environment variables.",
      listType: "atomic",
    }),
    image: str("Container image name."),
    imagePullPolicy: str("When to pull the image: Always, Never or IfNotPresent."),
    lifecycle: core("Lifecycle", "Actions run after start and before stop."),
    livenessProbe: core("Probe", "Restarts the container when it fails."),
    name: str("Name of the container, unique within the pod (DNS label)."),
    ports: arr(core("ContainerPort"), {
      description: "Ports the container exposes; informational except for hostPort.",
      mergeKey: "containerPort",
      strategy: "merge",
      mapKeys: ["containerPort", "protocol"],
    }),
    readinessProbe: core("Probe", "Removes the pod from service endpoints when it fails."),
    resizePolicy: arr(core("ContainerResizePolicy"), {
      description: "How each resource is resized in place.",
      listType: "atomic",
    }),
    resources: core("ResourceRequirements", "Compute resources requested and allowed."),
    restartPolicy: str("Always makes an init container a sidecar that keeps running."),
    securityContext: core("SecurityContext", "Security options for this container."),
    startupProbe: core("Probe", "Holds off the other probes until it succeeds."),
    stdin: bool("Whether to allocate a stdin buffer."),
    stdinOnce: bool("Whether stdin closes after the first attach ends."),
    terminationMessagePath: str("File whose contents become the termination message."),
    terminationMessagePolicy: str("File or FallbackToLogsOnError."),
    tty: bool("Whether to allocate a TTY; needs stdin."),
    volumeDevices: arr(core("VolumeDevice"), {
      description: "Block devices the container uses.",
      mergeKey: "devicePath",
      strategy: "merge",
      mapKeys: ["devicePath"],
    }),
    volumeMounts: arr(core("VolumeMount"), {
      description: "Pod volumes mounted into the container's filesystem.",
      mergeKey: "mountPath",
      strategy: "merge",
      mapKeys: ["mountPath"],
    }),
    workingDir: str("Working directory; the image's default when empty."),
  };
}

const keySelector = (what: string): Schema =>
  obj({
    key: str(`The key to select.`),
    name: str(`Name of the ${what}.`),
    optional: bool(`Whether the ${what} or its key may be missing.`),
  }, { description: `Selects a key of a ${what}.`, required: ["key"], atomic: true });

const handlerFields = (): Record<string, Schema> => ({
  exec: core("ExecAction", "Runs a command in the container."),
  httpGet: core("HTTPGetAction", "Performs an HTTP GET."),
  tcpSocket: core("TCPSocketAction", "Opens a TCP connection."),
});

const securityOptions = (): Record<string, Schema> => ({
  appArmorProfile: core("AppArmorProfile", "AppArmor options."),
  runAsGroup: int64("GID the entrypoint runs as."),
  runAsNonRoot: bool("Refuses to start a container that would run as UID 0."),
  runAsUser: int64("UID the entrypoint runs as."),
  seLinuxOptions: core("SELinuxOptions", "SELinux context to apply."),
  seccompProfile: core("SeccompProfile", "Seccomp options."),
  windowsOptions: core("WindowsSecurityContextOptions", "Windows-specific options."),
});

/** Container-level schemas of core/v1. */
export const CORE_CONTAINER_SCHEMAS: SchemaSet = {
  [`${CORE}Container`]: obj(containerFields(), {
    description: "One application container in a pod.",
    required: ["name"],
  }),
  [`${CORE}EphemeralContainer`]: obj({
    ...containerFields(),
    targetContainerName: str("Container whose namespaces this debug container joins."),
  }, {
    description: "A temporary container added to a running pod for debugging.",
    required: ["name"],
  }),
  [`${CORE}EnvVar`]: obj({
    name: str("Variable name."),
    value: str("Literal value; $(VAR) references are expanded."),
    valueFrom: core("EnvVarSource", "Where to read the value from instead."),
  }, { description: "One environment variable.", required: ["name"] }),
  [`${CORE}EnvVarSource`]: obj({
    configMapKeyRef: core("ConfigMapKeySelector", "A key of a ConfigMap."),
    fieldRef: core("ObjectFieldSelector", "A field of the pod, such as metadata.name."),
    resourceFieldRef: core("ResourceFieldSelector", "A resource limit or request of a container."),
    secretKeyRef: core("SecretKeySelector", "A key of a Secret."),
  }, { description: "Source of an environment variable's value." }),
  [`${CORE}ConfigMapKeySelector`]: keySelector("ConfigMap"),
  [`${CORE}SecretKeySelector`]: keySelector("Secret"),
  [`${CORE}ObjectFieldSelector`]: obj({
    apiVersion: str("Schema version the field path is written in; v1 by default."),
    fieldPath: str("Path of the field to select."),
  }, { description: "Selects a field of the pod.", required: ["fieldPath"], atomic: true }),
  [`${CORE}ResourceFieldSelector`]: obj({
    containerName: str("Container whose resources are read."),
    divisor: quantity("Unit the value is expressed in; 1 by default."),
    resource: str("Resource to select, e.g. limits.cpu."),
  }, { description: "Selects a container resource.", required: ["resource"], atomic: true }),
  [`${CORE}EnvFromSource`]: obj({
    configMapRef: core("ConfigMapEnvSource", "The ConfigMap to read."),
    prefix: str("Prefix added to every variable name."),
    secretRef: core("SecretEnvSource", "The Secret to read."),
  }, { description: "A set of environment variables read from one source." }),
  [`${CORE}ConfigMapEnvSource`]: obj({
    name: str("Name of the ConfigMap."),
    optional: bool("Whether the ConfigMap may be missing."),
  }, { description: "Imports a ConfigMap's keys as environment variables." }),
  [`${CORE}SecretEnvSource`]: obj({
    name: str("Name of the Secret."),
    optional: bool("Whether the Secret may be missing."),
  }, { description: "Imports a Secret's keys as environment variables." }),
  [`${CORE}ContainerPort`]: obj({
    containerPort: int32("Port number on the pod's IP address."),
    hostIP: str("Host IP to bind the host port to."),
    hostPort: int32("Port number to expose on the host."),
    name: str("IANA service name of the port, unique in the pod."),
    protocol: str("UDP, TCP or SCTP; TCP by default."),
  }, { description: "A network port of a container.", required: ["containerPort"] }),
  [`${CORE}ResourceRequirements`]: obj({
    claims: namedList(core("ResourceClaim"), "Dynamic resource claims this container uses."),
    limits: map(quantity(), "Maximum amount of each resource allowed."),
    requests: map(quantity(), "Minimum amount of each resource required, used for scheduling."),
  }, { description: "Compute resource requests and limits." }),
  [`${CORE}ResourceClaim`]: obj({
    name: str("Name of an entry in pod.spec.resourceClaims."),
    request: str("Name of the request within the claim."),
  }, { description: "A reference to a pod resource claim.", required: ["name"] }),
  [`${CORE}ContainerResizePolicy`]: obj({
    resourceName: str("Resource the policy applies to."),
    restartPolicy: str("NotRequired or RestartContainer."),
  }, {
    description: "Resize policy of one resource.",
    required: ["resourceName", "restartPolicy"],
  }),
  [`${CORE}VolumeMount`]: obj({
    mountPath: str("Path inside the container to mount at."),
    mountPropagation: str("None, HostToContainer or Bidirectional."),
    name: str("Name of the pod volume."),
    readOnly: bool("Whether the mount is read-only."),
    recursiveReadOnly: str("Disabled, IfPossible or Enabled."),
    subPath: str("Path within the volume to mount instead of its root."),
    subPathExpr: str("Like subPath, with $(VAR) expansion."),
  }, { description: "Mounts a volume into a container.", required: ["name", "mountPath"] }),
  [`${CORE}VolumeDevice`]: obj({
    devicePath: str("Path inside the container the device appears at."),
    name: str("Name of a persistentVolumeClaim volume of the pod."),
  }, {
    description: "Maps a raw block volume into a container.",
    required: ["name", "devicePath"],
  }),
  [`${CORE}Probe`]: obj({
    ...handlerFields(),
    failureThreshold: int32("Consecutive failures before the probe counts as failed."),
    grpc: core("GRPCAction", "Calls the gRPC health service."),
    initialDelaySeconds: int32("Seconds after start before the first probe."),
    periodSeconds: int32("Seconds between probes."),
    successThreshold: int32("Consecutive successes before the probe counts as passing."),
    terminationGracePeriodSeconds: int64("Grace period when a failed probe kills the container."),
    timeoutSeconds: int32("Seconds before a probe attempt times out."),
  }, { description: "A health check run against a container." }),
  [`${CORE}ExecAction`]: obj({
    command: strs("Command line run in the container; exit status 0 means healthy."),
  }, { description: "Runs a command." }),
  [`${CORE}HTTPGetAction`]: obj({
    host: str("Host to connect to; the pod IP by default."),
    httpHeaders: arr(core("HTTPHeader"), {
      description: "Extra request headers.",
      listType: "atomic",
    }),
    path: str("Path to request."),
    port: intOrString("Port number or name."),
    scheme: str("HTTP or HTTPS."),
  }, { description: "An HTTP GET request.", required: ["port"] }),
  [`${CORE}HTTPHeader`]: obj({
    name: str("Header name."),
    value: str("Header value."),
  }, { description: "One HTTP header.", required: ["name", "value"] }),
  [`${CORE}TCPSocketAction`]: obj({
    host: str("Host to connect to; the pod IP by default."),
    port: intOrString("Port number or name."),
  }, { description: "A TCP connection attempt.", required: ["port"] }),
  [`${CORE}GRPCAction`]: obj({
    port: int32("Port of the gRPC service."),
    service: str("Service name sent in the health check request."),
  }, { description: "A gRPC health check.", required: ["port"] }),
  [`${CORE}SleepAction`]: obj({
    seconds: int64("Seconds to sleep."),
  }, { description: "Sleeps for a while.", required: ["seconds"] }),
  [`${CORE}Lifecycle`]: obj({
    postStart: core("LifecycleHandler", "Runs right after the container is created."),
    preStop: core("LifecycleHandler", "Runs before the container is stopped."),
    stopSignal: str("Signal sent to stop the container."),
  }, { description: "Hooks run at container start and stop." }),
  [`${CORE}LifecycleHandler`]: obj({
    ...handlerFields(),
    sleep: core("SleepAction", "Waits before continuing."),
  }, { description: "One lifecycle hook action." }),
  [`${CORE}SecurityContext`]: obj({
    ...securityOptions(),
    allowPrivilegeEscalation: bool("Whether a process can gain more privileges than its parent."),
    capabilities: core("Capabilities", "Capabilities to add and drop."),
    privileged: bool("Runs the container with host-root-equivalent privileges."),
    procMount: str("Default or Unmasked /proc."),
    readOnlyRootFilesystem: bool("Mounts the root filesystem read-only."),
  }, { description: "Security options of one container; they override the pod's." }),
  [`${CORE}PodSecurityContext`]: obj({
    ...securityOptions(),
    fsGroup: int64("Supplementary group that owns the pod's volumes."),
    fsGroupChangePolicy: str("OnRootMismatch or Always."),
    seLinuxChangePolicy: str("How SELinux labels are applied to volumes."),
    supplementalGroups: arr(int64(), {
      description: "Extra groups for the first process of every container.",
      listType: "atomic",
    }),
    supplementalGroupsPolicy: str("Merge or Strict."),
    sysctls: arr(core("Sysctl"), { description: "Namespaced sysctls to set.", listType: "atomic" }),
  }, { description: "Security options shared by every container of a pod." }),
  [`${CORE}Capabilities`]: obj({
    add: strs("Capabilities to add."),
    drop: strs("Capabilities to remove."),
  }, { description: "POSIX capabilities." }),
  [`${CORE}SELinuxOptions`]: obj({
    level: str("SELinux level label."),
    role: str("SELinux role label."),
    type: str("SELinux type label."),
    user: str("SELinux user label."),
  }, { description: "SELinux labels." }),
  [`${CORE}SeccompProfile`]: obj({
    localhostProfile: str("Profile file on the node, relative to the kubelet's seccomp directory."),
    type: str("RuntimeDefault, Unconfined or Localhost."),
  }, { description: "A seccomp profile.", required: ["type"] }),
  [`${CORE}AppArmorProfile`]: obj({
    localhostProfile: str("Profile loaded on the node."),
    type: str("RuntimeDefault, Unconfined or Localhost."),
  }, { description: "An AppArmor profile.", required: ["type"] }),
  [`${CORE}WindowsSecurityContextOptions`]: obj({
    gmsaCredentialSpec: str("Contents of the GMSA credential spec."),
    gmsaCredentialSpecName: str("Name of the GMSA credential spec."),
    hostProcess: bool("Runs the container as a host process."),
    runAsUserName: str("User name the entrypoint runs as."),
  }, { description: "Windows security options." }),
  [`${CORE}Sysctl`]: obj({
    name: str("Property name."),
    value: str("Property value."),
  }, { description: "A kernel parameter.", required: ["name", "value"] }),
  [`${CORE}ContainerStatus`]: obj({
    allocatedResources: map(quantity(), "Resources the node allocated to the container."),
    allocatedResourcesStatus: arr(preserve(), {
      description: "Health of allocated resources.",
      mergeKey: "name",
      strategy: "merge",
      mapKeys: ["name"],
    }),
    containerID: str("Runtime ID, as <type>://<id>."),
    image: str("Image the container runs."),
    imageID: str("Digest of the image."),
    lastState: core("ContainerState", "The previous termination, if any."),
    name: str("Container name."),
    ready: bool("Whether the readiness probe passes."),
    resources: core("ResourceRequirements", "Resources currently applied."),
    restartCount: int32("Number of restarts."),
    started: bool("Whether the startup probe passed."),
    state: core("ContainerState", "Current state."),
    stopSignal: str("Signal used to stop the container."),
    user: preserve("Identity the process runs as."),
    volumeMounts: arr(core("VolumeMountStatus"), {
      description: "Mounts in effect.",
      mergeKey: "mountPath",
      strategy: "merge",
      mapKeys: ["mountPath"],
    }),
  }, {
    description: "Observed state of one container.",
    required: ["name", "ready", "restartCount", "image", "imageID"],
  }),
  [`${CORE}VolumeMountStatus`]: obj({
    mountPath: str("Mount path."),
    name: str("Volume name."),
    readOnly: bool("Whether read-only."),
    recursiveReadOnly: str("Recursive read-only state."),
  }, { description: "A mount in effect.", required: ["name", "mountPath"] }),
  [`${CORE}ContainerState`]: obj({
    running: core("ContainerStateRunning", "Set while running."),
    terminated: core("ContainerStateTerminated", "Set once terminated."),
    waiting: core("ContainerStateWaiting", "Set while waiting to start."),
  }, { description: "Exactly one of the states is set." }),
  [`${CORE}ContainerStateRunning`]: obj({
    startedAt: time("When the container started."),
  }, { description: "A running container." }),
  [`${CORE}ContainerStateWaiting`]: obj({
    message: str("Why the container is not running yet."),
    reason: str("Short reason, e.g. ContainerCreating or ImagePullBackOff."),
  }, { description: "A waiting container." }),
  [`${CORE}ContainerStateTerminated`]: obj({
    containerID: str("Runtime ID of the container."),
    exitCode: int32("Exit status."),
    finishedAt: time("When it exited."),
    message: str("Termination message."),
    reason: str("Short reason, e.g. Completed or OOMKilled."),
    signal: int32("Signal that ended it."),
    startedAt: time("When it started."),
  }, { description: "A terminated container.", required: ["exitCode"] }),
};

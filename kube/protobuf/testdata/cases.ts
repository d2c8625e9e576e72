/**
 * The kubectl commands whose protobuf bodies are kept as fixtures. Shared by the capture script
 * and the decoder's tests.
 *
 * @module
 */

/** One captured command. */
export interface CaptureCase {
  /** Fixture base name: `<name>.pb` and `<name>.json`. */
  name: string;
  /** kubectl arguments; `$WORK` is replaced by the capture's scratch folder. */
  args: string[];
  /**
   * Where the expected JSON comes from: kubectl 1.32's `--dry-run=client -o json`, or the JSON body
   * kubectl 1.31 POSTs for the same command (for commands without a client dry run).
   */
  expected: "dry-run" | "legacy-body";
}

/** Every captured command. */
export const CASES: CaptureCase[] = [
  { name: "namespace", args: ["create", "namespace", "ns1"], expected: "dry-run" },
  {
    name: "configmap",
    args: [
      "create",
      "configmap",
      "cm1",
      "--from-literal=a=1",
      "--from-literal=b=two words",
      "--from-file=$WORK/app.properties",
      "--from-file=blob=$WORK/blob.bin",
    ],
    expected: "dry-run",
  },
  {
    name: "secret-generic",
    args: [
      "create",
      "secret",
      "generic",
      "s1",
      "--from-literal=user=admin",
      "--from-literal=pass=s3cr3t",
      "--from-file=blob=$WORK/blob.bin",
      "--type=Opaque",
    ],
    expected: "dry-run",
  },
  {
    name: "secret-docker-registry",
    args: [
      "create",
      "secret",
      "docker-registry",
      "reg",
      "--docker-server=registry.example",
      "--docker-username=u",
      "--docker-password=p",
      "--docker-email=u@example.com",
    ],
    expected: "dry-run",
  },
  {
    name: "secret-tls",
    args: ["create", "secret", "tls", "tls1", "--cert=$WORK/tls.crt", "--key=$WORK/tls.key"],
    expected: "dry-run",
  },
  {
    name: "deployment",
    args: ["create", "deployment", "web", "--image=nginx:1.25", "--replicas=3", "--port=80"],
    expected: "dry-run",
  },
  {
    name: "deployment-command",
    args: [
      "create",
      "deployment",
      "sleeper",
      "--image=busybox",
      "--replicas=0",
      "--",
      "sleep",
      "3600",
    ],
    expected: "dry-run",
  },
  {
    name: "deployment-multi",
    args: ["create", "deployment", "multi", "--image=busybox", "--image=alpine"],
    expected: "dry-run",
  },
  {
    name: "service-clusterip",
    args: ["create", "service", "clusterip", "svc1", "--tcp=80:8080", "--tcp=443:8443"],
    expected: "dry-run",
  },
  {
    name: "service-headless",
    args: ["create", "service", "clusterip", "headless", "--clusterip=None"],
    expected: "dry-run",
  },
  {
    name: "service-nodeport",
    args: ["create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"],
    expected: "dry-run",
  },
  {
    name: "service-loadbalancer",
    args: ["create", "service", "loadbalancer", "lb", "--tcp=5678:8080"],
    expected: "dry-run",
  },
  {
    name: "service-externalname",
    args: ["create", "service", "externalname", "ext", "--external-name=example.com"],
    expected: "dry-run",
  },
  {
    name: "job",
    args: ["create", "job", "j1", "--image=busybox", "--", "echo", "hi"],
    expected: "dry-run",
  },
  {
    name: "job-from-cronjob",
    args: ["create", "job", "j2", "--from=cronjob/rich"],
    expected: "dry-run",
  },
  {
    name: "cronjob",
    args: [
      "create",
      "cronjob",
      "cj1",
      "--image=busybox",
      "--schedule=*/5 * * * *",
      "--restart=OnFailure",
      "--",
      "date",
    ],
    expected: "dry-run",
  },
  {
    name: "token",
    args: [
      "create",
      "token",
      "sa1",
      "--duration=1h",
      "--audience=aud1",
      "--audience=aud2",
      "--bound-object-kind=Pod",
      "--bound-object-name=p1",
      "--bound-object-uid=0b7e3f4c-1111-4222-8333-944455556666",
    ],
    expected: "legacy-body",
  },
  { name: "token-plain", args: ["create", "token", "sa1"], expected: "legacy-body" },
  {
    name: "role",
    args: [
      "create",
      "role",
      "r1",
      "--verb=get,list,watch",
      "--resource=pods,deployments.apps,deployments.apps/scale",
      "--resource-name=web",
    ],
    expected: "dry-run",
  },
  {
    name: "rolebinding",
    args: [
      "create",
      "rolebinding",
      "rb1",
      "--role=r1",
      "--user=alice",
      "--group=devs",
      "--serviceaccount=ns1:sa1",
    ],
    expected: "dry-run",
  },
  {
    name: "clusterrole",
    args: ["create", "clusterrole", "cr1", "--verb=get", "--non-resource-url=/logs/*"],
    expected: "dry-run",
  },
  {
    name: "clusterrole-aggregated",
    args: [
      "create",
      "clusterrole",
      "monitoring",
      "--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true",
    ],
    expected: "dry-run",
  },
  {
    name: "clusterrolebinding",
    args: ["create", "clusterrolebinding", "crb1", "--clusterrole=cr1", "--user=bob"],
    expected: "dry-run",
  },
  { name: "serviceaccount", args: ["create", "serviceaccount", "sa1"], expected: "dry-run" },
  {
    name: "quota",
    args: [
      "create",
      "quota",
      "q1",
      "--hard=cpu=1,memory=1Gi,pods=10,requests.storage=5T",
      "--scopes=BestEffort",
    ],
    expected: "dry-run",
  },
  {
    name: "priorityclass",
    args: [
      "create",
      "priorityclass",
      "high",
      "--value=1000",
      "--description=high priority",
      "--preemption-policy=Never",
    ],
    expected: "dry-run",
  },
  {
    name: "priorityclass-default",
    args: ["create", "priorityclass", "base", "--value=0", "--global-default"],
    expected: "dry-run",
  },
  {
    name: "pdb-min",
    args: ["create", "poddisruptionbudget", "pdb1", "--selector=app=web", "--min-available=2"],
    expected: "dry-run",
  },
  {
    name: "pdb-max",
    args: ["create", "poddisruptionbudget", "pdb2", "--selector=app=web", "--max-unavailable=50%"],
    expected: "dry-run",
  },
  {
    name: "ingress",
    args: [
      "create",
      "ingress",
      "ing1",
      "--class=nginx",
      "--rule=foo.com/bar=svc1:8080,tls=my-cert",
      "--rule=foo.com/*=svc2:http",
      "--default-backend=defsvc:80",
      "--annotation=a=b",
    ],
    expected: "dry-run",
  },
  {
    name: "can-i",
    args: ["auth", "can-i", "create", "deployments.apps", "--subresource=scale"],
    expected: "legacy-body",
  },
  {
    name: "can-i-named",
    args: ["auth", "can-i", "get", "pods/web", "-n", "ns1"],
    expected: "legacy-body",
  },
  { name: "can-i-nonresource", args: ["auth", "can-i", "get", "/logs"], expected: "legacy-body" },
  { name: "whoami", args: ["auth", "whoami"], expected: "legacy-body" },
];

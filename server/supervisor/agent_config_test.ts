import { assertEquals } from "../../tests/helpers/assert.ts";
import { agentConfigFor } from "./agent_config.ts";

Deno.test("agent config: K3s defaults, DNS at .10 of the service network", () => {
  const config = agentConfigFor(
    {
      clusterCidr: "10.42.0.0/16",
      serviceCidr: "10.43.0.0/16",
      clusterDomain: "cluster.local",
      nodeName: "server-1",
    },
    "192.168.1.104",
    6443,
  );
  assertEquals(config.ClusterIPRange, "10.42.0.0/16");
  assertEquals(config.ServiceIPRange, "10.43.0.0/16");
  assertEquals(config.ClusterDNS, "10.43.0.10");
  assertEquals(config.ClusterDNSs, ["10.43.0.10"]);
  assertEquals(config.ClusterDomain, "cluster.local");
  assertEquals(config.FlannelBackend, "vxlan");
  assertEquals(config.ServiceNodePortRange, "30000-32767");
  assertEquals([config.AdvertiseIP, config.AdvertisePort], ["192.168.1.104", 6443]);
  assertEquals(config.ServerNodeName, "server-1");
});

Deno.test("agent config: CIDRs are normalised to their network address", () => {
  const config = agentConfigFor(
    {
      clusterCidr: "10.100.7.9/16",
      serviceCidr: "172.20.5.0/24",
      clusterDomain: "k.local",
      nodeName: "n",
    },
    "10.0.0.1",
    7443,
  );
  assertEquals(config.ClusterIPRange, "10.100.0.0/16");
  assertEquals(config.ServiceIPRange, "172.20.5.0/24");
  assertEquals(config.ClusterDNS, "172.20.5.10");
});

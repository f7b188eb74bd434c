package dev.lockmanager.lock.chaos;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The fault-injection suite on a Redis Cluster ({@link RedisClusterExtension}): the master serving the lock's slot
 * is SIGKILLed while a client holds the lease, the cluster promotes its replica, and the killed node comes back as
 * a replica.
 */
class ClusterChaosTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	@RegisterExtension
	static final RedisServerExtension resource = RedisServerExtension.servers(1);

	private static final ChaosProfile profile = ChaosProfile.current();

	private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(30);

	@AfterAll
	static void printReport() {
		ChaosReport.print(profile, resource.server());
	}

	@Test
	void masterOfTheLockKilledAndReplicaPromoted() throws Exception {
		RedisCluster cluster = redis.cluster();
		try (ChaosRun run = new ChaosRun("cluster-master-kill", profile, LockRedis.cluster(cluster),
				resource.server())) {
			run.execute(profile.failovers(), (chaos) -> {
				RedisServer master = cluster.masterFor(chaos.leaseKey());
				RedisServer replica = cluster.replicaOf(master);
				chaos.awaitHolder();
				long injected = System.nanoTime();
				master.kill();
				cluster.awaitMaster(replica, FAILOVER_TIMEOUT);
				long healed = System.nanoTime();
				master.start();
				cluster.awaitHealthy(FAILOVER_TIMEOUT);
				return new Fault("SIGKILL master, promotion", "master :" + master.port(), injected, healed);
			});
		}
	}

}

package dev.lockmanager.lock.chaos;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.lockmanager.lock.testing.RedisSentinelGroup;
import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The fault-injection suite on a Sentinel group ({@link RedisSentinelGroup}): the master is SIGKILLed while a client
 * holds the lease, the sentinels promote a replica, and the killed server comes back as a replica.
 */
class SentinelChaosTests {

	@RegisterExtension
	static final RedisServerExtension resource = RedisServerExtension.servers(1);

	private static final ChaosProfile profile = ChaosProfile.current();

	private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(30);

	@AfterAll
	static void printReport() {
		ChaosReport.print(profile, resource.server());
	}

	@Test
	void masterKilledAndReplicaPromoted() throws Exception {
		try (RedisSentinelGroup group = new RedisSentinelGroup();
				ChaosRun run = new ChaosRun("sentinel-failover", profile, LockRedis.sentinel(group),
						resource.server())) {
			group.start();
			run.execute(profile.failovers(), (chaos) -> {
				chaos.awaitHolder();
				long injected = System.nanoTime();
				RedisServer killed = group.killMaster();
				group.awaitFailover(FAILOVER_TIMEOUT);
				long healed = System.nanoTime();
				killed.start();
				awaitReplicaInSync(killed);
				return new Fault("SIGKILL master, failover", "master :" + killed.port(), injected, healed);
			});
		}
	}

	/** The sentinels turn a master that comes back into a replica of the new one. */
	private static void awaitReplicaInSync(RedisServer server) throws InterruptedException {
		long deadline = System.nanoTime() + FAILOVER_TIMEOUT.toNanos();
		while (true) {
			String replication = (String) server.execute("INFO", "replication");
			if (replication.contains("role:slave") && replication.contains("master_link_status:up")) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(server + " did not become a replica in sync within "
						+ FAILOVER_TIMEOUT + ":\n" + replication);
			}
			Thread.sleep(50);
		}
	}

}

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
 * holds the lease, the sentinels promote a replica, and the killed server comes back as a replica before the next
 * fault.
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
				group.awaitSettled(FAILOVER_TIMEOUT);
				return new Fault("SIGKILL master, failover", "master :" + killed.port(), injected, healed);
			});
		}
	}

}

package dev.lockmanager.lock.chaos;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The fault-injection suite on a single lock Redis: separate client processes loop "acquire, fenced increment,
 * release" while a nemesis pauses or kills a holder, pauses or restarts the lock Redis, or cuts or delays one
 * client's connection; {@link HistoryChecker} then checks the history (see {@link ChaosRun}).
 */
class StandaloneChaosTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(2);

	private static final ChaosProfile profile = ChaosProfile.current();

	private final Map<String, FaultProxy> proxies = new ConcurrentHashMap<>();

	@AfterEach
	void closeProxies() {
		this.proxies.values().forEach(FaultProxy::close);
	}

	@AfterAll
	static void printReport() {
		ChaosReport.print(profile, resource());
	}

	@Test
	void holderPausedPastItsTtl() throws Exception {
		Duration pause = profile.ttl().plusMillis(500);
		try (ChaosRun run = new ChaosRun("holder-sigstop", profile, LockRedis.standalone(lock()), resource())) {
			run.execute(profile.faults(), (chaos) -> {
				ClientProcess holder = chaos.awaitHolder();
				long injected = System.nanoTime();
				holder.pause();
				Thread.sleep(pause.toMillis());
				holder.resume();
				return new Fault("SIGSTOP " + pause.toMillis() + "ms", holder.name(), injected, System.nanoTime());
			});
		}
	}

	@Test
	void holderKilled() throws Exception {
		try (ChaosRun run = new ChaosRun("holder-sigkill", profile, LockRedis.standalone(lock()), resource())) {
			run.execute(profile.faults(), (chaos) -> {
				ClientProcess holder = chaos.awaitHolder();
				holder.kill();
				long killed = System.nanoTime();
				// Started once the others took over, so that its JVM's startup does not slow down their recovery, and
				// running before the next fault, which may kill the last of the others
				chaos.awaitAcquisitionAfter(killed);
				chaos.startClient().awaitReady(Duration.ofSeconds(30));
				return new Fault("SIGKILL", holder.name(), killed, killed);
			});
		}
	}

	@Test
	void lockRedisPausedShorterThanTheTtl() throws Exception {
		pauseLockRedis("redis-sigstop-short", profile.ttl().dividedBy(2));
	}

	@Test
	void lockRedisPausedLongerThanTheTtl() throws Exception {
		pauseLockRedis("redis-sigstop-long", profile.ttl().multipliedBy(2));
	}

	@Test
	void lockRedisRestartedWithoutPersistence() throws Exception {
		try (ChaosRun run = new ChaosRun("redis-restart", profile, LockRedis.standalone(lock()), resource())) {
			run.execute(profile.faults(), (chaos) -> {
				chaos.awaitHolder();
				long injected = System.nanoTime();
				lock().kill();
				lock().start();
				return new Fault("SIGKILL and start", "lock redis", injected, System.nanoTime());
			});
		}
	}

	@Test
	void holdersConnectionCut() throws Exception {
		Duration cut = profile.ttl().plusMillis(500);
		try (ChaosRun run = new ChaosRun("client-cut", profile, LockRedis.proxied(lock(), this.proxies),
				resource())) {
			run.execute(profile.faults(), (chaos) -> {
				ClientProcess holder = chaos.awaitHolder();
				FaultProxy proxy = this.proxies.get(holder.name());
				long injected = System.nanoTime();
				proxy.cut();
				Thread.sleep(cut.toMillis());
				proxy.heal();
				return new Fault("connection cut " + cut.toMillis() + "ms", holder.name(), injected,
						System.nanoTime());
			});
		}
	}

	@Test
	void holdersConnectionDelayed() throws Exception {
		Duration delay = profile.ttl().multipliedBy(2).dividedBy(5);
		Duration during = profile.ttl().multipliedBy(3);
		try (ChaosRun run = new ChaosRun("client-delay", profile, LockRedis.proxied(lock(), this.proxies),
				resource())) {
			run.execute(profile.faults(), (chaos) -> {
				ClientProcess holder = chaos.awaitHolder();
				FaultProxy proxy = this.proxies.get(holder.name());
				long injected = System.nanoTime();
				proxy.delay(delay);
				Thread.sleep(during.toMillis());
				proxy.heal();
				return new Fault(delay.toMillis() + "ms each way for " + during.toMillis() + "ms", holder.name(),
						injected, System.nanoTime());
			});
		}
	}

	private void pauseLockRedis(String scenario, Duration pause) throws Exception {
		try (ChaosRun run = new ChaosRun(scenario, profile, LockRedis.standalone(lock()), resource())) {
			run.execute(profile.faults(), (chaos) -> {
				chaos.awaitHolder();
				long injected = System.nanoTime();
				lock().pause();
				Thread.sleep(pause.toMillis());
				lock().resume();
				return new Fault("SIGSTOP " + pause.toMillis() + "ms", "lock redis", injected, System.nanoTime());
			});
		}
	}

	private static RedisServer lock() {
		return redis.server(0);
	}

	private static RedisServer resource() {
		return redis.server(1);
	}

}

package dev.lockmanager.lock.redis.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.CounterLoad;
import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Quorum mode over 5 independent Redis masters: a majority grants the lease, a minority of failed or stalled nodes
 * does not stop it, a majority of failed nodes makes acquire fail cleanly, and fencing tokens keep increasing.
 */
class QuorumModeTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(5);

	private static final Duration NODE_TIMEOUT = Duration.ofMillis(200);

	/** Much longer than the node timeout, so that a stalled node would show if the quorum waited for it. */
	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<RedisLockManager> managers = new ArrayList<>();

	private String key;

	@BeforeEach
	void uniqueKey() {
		this.key = "key-" + UUID.randomUUID();
	}

	@AfterEach
	void close() {
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
	}

	private RedisLockManager manager() {
		List<LettuceConnectionFactory> nodes = redis.servers().stream().map(this::connectionFactory).toList();
		RedisLockManager manager = RedisLockManager.builder(nodes.get(0)).quorum(nodes, NODE_TIMEOUT).build();
		this.managers.add(manager);
		// The first calls open the connections and load the scripts, which can take longer than a node timeout.
		String warmUp = "warm-up-" + UUID.randomUUID();
		await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
			.until(() -> manager.tryAcquire(warmUp, Duration.ofMillis(500)).isPresent());
		return manager;
	}

	private LettuceConnectionFactory connectionFactory(RedisServer server) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(server.host(), server.port()),
				LettuceClientConfiguration.builder().commandTimeout(COMMAND_TIMEOUT).build());
		factory.afterPropertiesSet();
		factory.start();
		this.factories.add(factory);
		return factory;
	}

	private long holders(String leaseKey) {
		return redis.servers().stream().filter(RedisServer::isRunning)
			.filter((server) -> Long.valueOf(1).equals(server.execute("EXISTS", leaseKey)))
			.count();
	}

	@Test
	void leaseIsGrantedByEveryNodeAndExclusive() {
		RedisLockManager first = manager();
		Lease lease = first.tryAcquire(this.key, Duration.ofSeconds(10)).orElseThrow();
		assertThat(holders("lock:{default:" + this.key + "}")).isEqualTo(5);
		assertThat(manager().tryAcquire(this.key, Duration.ofSeconds(10))).isEmpty();
		lease.release();
		assertThat(holders("lock:{default:" + this.key + "}")).isZero();
		assertThat(manager().tryAcquire(this.key, Duration.ofSeconds(10))).isPresent();
	}

	@Test
	void readModifyWriteUnderQuorumLeasesLosesNoUpdate() throws Exception {
		List<RedisLockManager> instances = List.of(manager(), manager(), manager());
		StringRedisTemplate counter = new StringRedisTemplate(this.factories.get(0));
		String name = this.key + ":counter";
		int mostInside = CounterLoad.run(instances, 2, 50, counter, List.of(name));
		assertThat(counter.opsForValue().get(name)).isEqualTo("300");
		assertThat(mostInside).isEqualTo(1);
	}

	@Test
	void aQueuedCallerGetsTheLeaseThroughARelease() throws Exception {
		RedisLockManager manager = manager();
		Lease held = manager.acquire(this.key, Duration.ofSeconds(30), Duration.ZERO);
		CompletableFuture<Lease> queued = CompletableFuture
			.supplyAsync(() -> manager.acquire(this.key, Duration.ofSeconds(30), Duration.ofSeconds(20)));
		Thread.sleep(200);
		assertThat(queued).isNotDone();
		long releasedAt = System.nanoTime();
		held.release();
		// No handoff in quorum mode: the lease was deleted on every node, and the queued caller took it again
		Lease next = queued.get(10, TimeUnit.SECONDS);
		assertThat(Duration.ofNanos(System.nanoTime() - releasedAt)).isLessThan(Duration.ofSeconds(2));
		assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
		// Granted by a majority; the other nodes' grants may still be on their way
		assertThat(holders("lock:{default:" + this.key + "}")).isGreaterThanOrEqualTo(3);
		next.release();
		assertThat(holders("lock:{default:" + this.key + "}")).isZero();
	}

	@Test
	void nodesGivenByUriAreConnectedAndClosedByTheManager() {
		List<String> uris = redis.servers().stream().map(RedisServer::uri).toList();
		RedisLockManager manager = RedisLockManager.builder(connectionFactory(redis.server(0)))
			.quorumNodes(uris, NODE_TIMEOUT)
			.build();
		try {
			await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
				.until(() -> manager.tryAcquire(this.key, Duration.ofSeconds(5)).isPresent());
			assertThat(holders("lock:{default:" + this.key + "}")).isEqualTo(5);
		}
		finally {
			manager.close();
		}
		assertThat(holders("lock:{default:" + this.key + "}")).isZero();
	}

	@Test
	void replicaAcknowledgementMustWaitLessThanTheNodeTimeout() {
		List<String> uris = redis.servers().stream().map(RedisServer::uri).toList();
		assertThatIllegalStateException()
			.isThrownBy(() -> RedisLockManager.builder(connectionFactory(redis.server(0)))
				.quorumNodes(uris, NODE_TIMEOUT)
				.replicaAcknowledgement(1, NODE_TIMEOUT)
				.build())
			.withMessage("The replica acknowledgement timeout (PT0.2S) must be shorter than the Redis command timeout "
					+ "(PT0.2S), or the client gives up on WAIT before Redis answers it");
	}

	@Test
	void waiterIsWokenByAReleaseOnTheNodes() throws Exception {
		Lease held = manager().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		List<LettuceConnectionFactory> nodes = redis.servers().stream().map(this::connectionFactory).toList();
		RedisLockManager waiting = RedisLockManager.builder(nodes.get(0))
			.quorum(nodes, NODE_TIMEOUT)
			.backOff(Duration.ofSeconds(3), 2.0, Duration.ofSeconds(5), Duration.ZERO)
			.build();
		this.managers.add(waiting);
		CompletableFuture<Long> acquiredAt = CompletableFuture.supplyAsync(() -> {
			waiting.acquire(this.key, Duration.ofSeconds(30), Duration.ofSeconds(20));
			return System.nanoTime();
		});
		String channel = "lock:{default:" + this.key + "}:released";
		await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(1)
			.equals(((List<?>) redis.server(0).execute("PUBSUB", "NUMSUB", channel)).get(1)));
		long releasedAt = System.nanoTime();
		held.release();
		assertThat(Duration.ofNanos(acquiredAt.get(10, TimeUnit.SECONDS) - releasedAt))
			.isLessThan(Duration.ofMillis(2000)); // backoff: 3s
	}

	@Test
	void waiterIsWokenThroughTheOtherNodesWhenTheFirstNodeIsDown() throws Exception {
		redis.server(0).stop();
		Lease held = manager().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		List<LettuceConnectionFactory> nodes = redis.servers().stream().map(this::connectionFactory).toList();
		RedisLockManager waiting = RedisLockManager.builder(nodes.get(0))
			.quorum(nodes, NODE_TIMEOUT)
			.backOff(Duration.ofSeconds(10), 2.0, Duration.ofSeconds(10), Duration.ZERO)
			.build();
		this.managers.add(waiting);
		CompletableFuture<Long> acquiredAt = CompletableFuture.supplyAsync(() -> {
			waiting.acquire(this.key, Duration.ofSeconds(30), Duration.ofSeconds(8));
			return System.nanoTime();
		});
		String channel = "lock:{default:" + this.key + "}:released";
		await().atMost(Duration.ofSeconds(10)).until(() -> redis.servers().stream()
			.filter(RedisServer::isRunning)
			.allMatch((node) -> Long.valueOf(1).equals(((List<?>) node.execute("PUBSUB", "NUMSUB", channel)).get(1))));
		long releasedAt = System.nanoTime();
		held.release();
		assertThat(Duration.ofNanos(acquiredAt.get(10, TimeUnit.SECONDS) - releasedAt))
			.isLessThan(Duration.ofMillis(3000)); // backoff: 10s
	}

	@Test
	void twoStoppedNodesOfFiveLeaveTheLockWorking() {
		RedisLockManager manager = manager();
		redis.server(3).stop();
		redis.server(4).stop();
		Lease lease = manager.tryAcquire(this.key, Duration.ofSeconds(10)).orElseThrow();
		assertThat(lease.isHeld()).isTrue();
		assertThat(manager().tryAcquire(this.key, Duration.ofSeconds(10))).isEmpty();
		lease.release();
	}

	@Test
	void threeStoppedNodesOfFiveMakeAcquireFailCleanlyAndLeaveNothingBehind() {
		RedisLockManager manager = manager();
		redis.server(2).stop();
		redis.server(3).stop();
		redis.server(4).stop();
		assertThatExceptionOfType(LockBackendUnavailableException.class)
			.isThrownBy(() -> manager.tryAcquire(this.key, Duration.ofSeconds(30)))
			.withMessageContaining("a majority of 3 is needed");
		assertThat(holders("lock:{default:" + this.key + "}")).isZero();
	}

	@Test
	void replicaAcknowledgementIsAskedOfEveryNode() {
		RedisLockManager manager = manager();
		// The nodes have no replicas: none can acknowledge, so no node grants the lease.
		assertThatExceptionOfType(LockBackendUnavailableException.class)
			.isThrownBy(() -> manager.tryAcquire(LockRequest.of(this.key, Duration.ofSeconds(30)).withReplicas(1)))
			.withMessageContaining("a majority of 3 is needed");
		assertThat(holders("lock:{default:" + this.key + "}")).isZero();
		assertThat(manager.tryAcquire(LockRequest.of(this.key, Duration.ofSeconds(30)).withReplicas(0))).isPresent();
	}

	@Test
	void aPausedNodeDoesNotStallAcquisitionBeyondTheNodeTimeout() {
		RedisLockManager manager = manager();
		redis.server(1).pause();
		long start = System.nanoTime();
		Lease lease = manager.tryAcquire(this.key, Duration.ofSeconds(10)).orElseThrow();
		// The paused node is given up on after the node timeout, long before its 3s command timeout.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(NODE_TIMEOUT.multipliedBy(4));
		lease.release();
	}

	@Test
	void fencingTokensStayIncreasingWhenTheNodeThatIssuedTheLargestTokenIsGone() {
		RedisLockManager manager = manager();
		// Node 0's counter runs ahead of the others (a clock ahead, say): it issues the largest token.
		redis.server(0).execute("SET", "lock:{default:" + this.key + "}:fencing", "5000000000000000");
		Lease first = manager.tryAcquire(this.key, Duration.ofSeconds(5)).orElseThrow();
		assertThat(first.fencingToken()).isEqualTo(5000000000000001L);
		first.release();
		redis.server(0).stop();
		// Without node 0, the others must still issue larger tokens: the first acquisition raised their counters.
		Lease second = manager.tryAcquire(this.key, Duration.ofSeconds(5)).orElseThrow();
		assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
		second.release();
	}

	@Test
	void fencingTokensStrictlyIncreaseEvenWhenNodesForgetTheirCounters() {
		List<RedisLockManager> clients = List.of(manager(), manager());
		long previous = 0;
		for (int i = 0; i < 40; i++) {
			if (i % 10 == 5) {
				// A node that restarted without persistence forgets its counter; majorities still intersect.
				redis.server(i % 5).execute("DEL", "lock:{default:" + this.key + "}:fencing");
			}
			Lease lease = clients.get(i % 2).tryAcquire(this.key, Duration.ofSeconds(5)).orElseThrow();
			assertThat(lease.fencingToken()).isGreaterThan(previous);
			previous = lease.fencingToken();
			lease.release();
		}
	}

}

package dev.lockmanager.lock.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisClusterExtension;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Release notifications on a Redis Cluster: sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}) on the master of the
 * key's slot when every master runs Redis 7, classic pub/sub on Redis 6.2; subscriptions that Redis ends when the slot
 * moves are made again. Waiters back off for 10 seconds here, so a wake-up within a second is the notification's.
 */
class ClusterReleaseNotificationTests {

	@RegisterExtension
	static final RedisClusterExtension redis = new RedisClusterExtension();

	private static final Duration BACKOFF = Duration.ofSeconds(10);

	private static final Duration WAIT_TIME = Duration.ofSeconds(8);

	/** Well under the backoff: only a notification wakes a waiter this soon. */
	private static final Duration PROMPTLY = Duration.ofSeconds(1);

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<RedisLockManager> managers = new ArrayList<>();

	private final List<AutoCloseable> listeners = new ArrayList<>();

	private String key;

	private String channel;

	@BeforeEach
	void uniqueKey() {
		this.key = "notified-" + UUID.randomUUID();
		this.channel = ClusterConnections.leaseKey(this.key) + ":released";
	}

	@AfterEach
	void closeClients() throws Exception {
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
		for (AutoCloseable listener : this.listeners) {
			listener.close();
		}
	}

	@Test
	void waiterIsWokenPromptlyByAReleaseOnAnotherManager() throws Exception {
		assumeTrue(sharded(), "sharded pub/sub needs Redis 7 on every master");
		Lease held = holder().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		CompletableFuture<Long> acquiredAt = waitForTheLock();
		await().atMost(Duration.ofSeconds(5)).until(() -> shardSubscribers(cluster().masterFor(this.channel)) == 1);

		long releasedAt = System.nanoTime();
		held.release();

		assertThat(Duration.ofNanos(acquiredAt.get(WAIT_TIME.toMillis(), TimeUnit.MILLISECONDS) - releasedAt))
			.isLessThan(PROMPTLY);
	}

	@Test
	void waiterSubscribesWithSsubscribeOnTheMasterOfItsKeyUntilItLeaves() throws Exception {
		assumeTrue(sharded(), "sharded pub/sub needs Redis 7 on every master");
		RedisServer master = cluster().masterFor(this.channel);
		Lease held = holder().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		CompletableFuture<Long> acquiredAt = waitForTheLock();
		await().atMost(Duration.ofSeconds(5)).until(() -> shardSubscribers(master) == 1);

		assertThat(cluster().masters()).filteredOn((other) -> other != master)
			.allSatisfy((other) -> assertThat(shardSubscribers(other)).isZero());
		assertThat(cluster().nodes())
			.allSatisfy((node) -> assertThat(ClusterConnections.count(node, "NUMSUB", this.channel)).isZero());
		held.release();
		acquiredAt.get(WAIT_TIME.toMillis(), TimeUnit.MILLISECONDS);
		await().atMost(Duration.ofSeconds(5)).until(() -> shardSubscribers(master) == 0);
	}

	@Test
	void releaseIsPublishedWithSpublishNotPublish() {
		assumeTrue(sharded(), "sharded pub/sub needs Redis 7 on every master");
		RedisServer master = cluster().masterFor(this.channel);
		Queue<String> received = shardSubscriber(master);
		Map<RedisServer, Long> publishesBefore = calls("publish");
		long spublishesBefore = calls("spublish").get(master);

		holder().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow().release();

		await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("smessage " + this.channel));
		assertThat(calls("spublish").get(master)).isEqualTo(spublishesBefore + 1);
		assertThat(calls("publish")).isEqualTo(publishesBefore);
	}

	@Test
	void waiterIsWokenAfterItsSlotMovedToAnotherMaster() throws Exception {
		assumeTrue(sharded(), "sharded pub/sub needs Redis 7 on every master");
		RedisServer from = cluster().masterFor(this.channel);
		RedisServer to = cluster().masters().stream().filter((master) -> master != from).findFirst().orElseThrow();
		Lease held = holder().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		CompletableFuture<Long> acquiredAt = waitForTheLock();
		await().atMost(Duration.ofSeconds(5)).until(() -> shardSubscribers(from) == 1);

		// Redis ends the sharded subscriptions of a slot that moves
		cluster().migrateSlot(cluster().slot(this.channel), to);

		await().atMost(Duration.ofSeconds(5)).until(() -> shardSubscribers(to) == 1);
		long releasedAt = System.nanoTime();
		held.release();
		assertThat(Duration.ofNanos(acquiredAt.get(WAIT_TIME.toMillis(), TimeUnit.MILLISECONDS) - releasedAt))
			.isLessThan(PROMPTLY);
	}

	@Test
	void waiterIsWokenAfterAFailoverOfItsMaster() throws Exception {
		assumeTrue(sharded(), "sharded pub/sub needs Redis 7 on every master");
		RedisServer master = cluster().masterFor(this.channel);
		RedisServer replica = cluster().replicaOf(master);
		Lease held = holder().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		CompletableFuture<Long> acquiredAt = waitForTheLock();
		await().atMost(Duration.ofSeconds(5)).until(() -> shardSubscribers(master) == 1);

		// The demoted master ends the sharded subscriptions of its slots
		cluster().failover(replica);

		// Made again on the new master, and not left on the former one where a subscription made before Lettuce
		// learnt of the failover may have landed
		await().atMost(Duration.ofSeconds(15)).until(() -> shardSubscribers(replica) == 1 && shardSubscribers(master) == 0);
		long releasedAt = System.nanoTime();
		held.release();
		assertThat(Duration.ofNanos(acquiredAt.get(WAIT_TIME.toMillis(), TimeUnit.MILLISECONDS) - releasedAt))
			.isLessThan(PROMPTLY);
	}

	/**
	 * The window between a topology change and Lettuce's refresh, made wide: the waiter's client never refreshes on
	 * its own, and its view is then updated without the topology event that would otherwise report the misplaced
	 * subscription. Only the waiter's own look at its subscription can find it.
	 */
	@Test
	void waiterMovesASubscriptionMadeAgainOnAFormerMasterOnceLettuceSeesTheNewOne() throws Exception {
		assumeTrue(sharded(), "sharded pub/sub needs Redis 7 on every master");
		RedisServer master = cluster().masterFor(this.channel);
		RedisServer replica = cluster().replicaOf(master);
		Lease held = holder().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		LettuceConnectionFactory stale = ClusterConnections.connectionFactoryWithoutTopologyRefresh(cluster());
		this.factories.add(stale);
		CompletableFuture<Long> acquiredAt = waitForTheLock(stale);
		await().atMost(Duration.ofSeconds(5)).until(() -> shardSubscribers(master) == 1);
		long ssubscribes = calls(master, "ssubscribe");

		cluster().failover(replica);
		// Told at once that the demoted master ended its subscription, the waiter made it again where its client still
		// routes the slot: on the former master, now a replica, which accepts it
		await().atMost(Duration.ofSeconds(5)).until(() -> calls(master, "ssubscribe") == ssubscribes + 1
				&& shardSubscribers(master) == 1);
		// The client learns of the new master as a topology refresh would teach it, but silently: no event
		refreshWithoutEvent((RedisClusterClient) stale.getRequiredNativeClient());

		await().atMost(Duration.ofSeconds(3)).until(() -> shardSubscribers(replica) == 1 && shardSubscribers(master) == 0);
		long releasedAt = System.nanoTime();
		held.release();
		assertThat(Duration.ofNanos(acquiredAt.get(WAIT_TIME.toMillis(), TimeUnit.MILLISECONDS) - releasedAt))
			.isLessThan(PROMPTLY);
	}

	@Test
	void onRedis62AWaiterSubscribesClassicallyAndIsWokenPromptly() throws Exception {
		assumeFalse(sharded(), "a Redis 7 cluster uses sharded pub/sub");
		Lease held = holder().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow();
		CompletableFuture<Long> acquiredAt = waitForTheLock();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> cluster().nodes()
				.stream()
				.mapToLong((node) -> ClusterConnections.count(node, "NUMSUB", this.channel))
				.sum() == 1);

		long releasedAt = System.nanoTime();
		held.release();

		assertThat(Duration.ofNanos(acquiredAt.get(WAIT_TIME.toMillis(), TimeUnit.MILLISECONDS) - releasedAt))
			.isLessThan(PROMPTLY);
	}

	@Test
	void onRedis62ReleaseIsPublishedWithPublish() {
		assumeFalse(sharded(), "a Redis 7 cluster uses sharded pub/sub");
		RedisServer master = cluster().masterFor(this.channel);
		long publishesBefore = calls("publish").get(master);

		holder().tryAcquire(this.key, Duration.ofSeconds(30)).orElseThrow().release();

		assertThat(calls("publish").get(master)).isEqualTo(publishesBefore + 1);
	}

	private RedisLockManager holder() {
		return manager(RedisLockManager.builder(factory()).build());
	}

	/** Another manager waits for the lock of the key, backing off 10s between attempts. */
	private CompletableFuture<Long> waitForTheLock() {
		return waitForTheLock(factory());
	}

	private CompletableFuture<Long> waitForTheLock(LettuceConnectionFactory connections) {
		RedisLockManager waiter = manager(RedisLockManager.builder(connections)
			.backOff(BACKOFF, 2.0, BACKOFF, Duration.ZERO)
			.build());
		return CompletableFuture.supplyAsync(() -> {
			waiter.acquire(this.key, Duration.ofSeconds(30), WAIT_TIME).release();
			return System.nanoTime();
		});
	}

	private LettuceConnectionFactory factory() {
		LettuceConnectionFactory factory = ClusterConnections.connectionFactory(cluster());
		this.factories.add(factory);
		return factory;
	}

	private RedisLockManager manager(RedisLockManager manager) {
		this.managers.add(manager);
		return manager;
	}

	/**
	 * Subscribes a plain Lettuce connection to the channel on {@code node} with {@code SSUBSCRIBE}.
	 * @return what it receives, as {@code "message <channel>"} or {@code "smessage <channel>"}
	 */
	private Queue<String> shardSubscriber(RedisServer node) {
		Queue<String> received = new ConcurrentLinkedQueue<>();
		RedisClient client = RedisClient.create(RedisURI.create(node.uri()));
		this.listeners.add(client::shutdown);
		StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub();
		connection.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String channel, String message) {
				received.add("message " + channel);
			}

			@Override
			public void smessage(String channel, String message) {
				received.add("smessage " + channel);
			}

		});
		connection.sync().ssubscribe(this.channel);
		return received;
	}

	private long shardSubscribers(RedisServer node) {
		return ClusterConnections.count(node, "SHARDNUMSUB", this.channel);
	}

	/**
	 * What Lettuce's topology refresh does to a client, without the {@code ClusterTopologyChangedEvent} it publishes
	 * (before it reloads): the client's view is replaced by the cluster's current one, and its connections route by it.
	 */
	private static void refreshWithoutEvent(RedisClusterClient client) throws ReflectiveOperationException {
		RedisClusterClient viewer = RedisClusterClient
			.create(cluster().seeds().stream().map((seed) -> RedisURI.create("redis://" + seed)).toList());
		try {
			client.getPartitions().reload(viewer.getPartitions().getPartitions());
		}
		finally {
			viewer.shutdown();
		}
		Method updateConnections = RedisClusterClient.class.getDeclaredMethod("updatePartitionsInConnections");
		updateConnections.setAccessible(true);
		updateConnections.invoke(client);
	}

	/** Calls of a command on one node, as {@code INFO commandstats} counts them. */
	private static long calls(RedisServer node, String command) {
		return ((String) node.execute("INFO", "commandstats")).lines()
			.filter((line) -> line.startsWith("cmdstat_" + command + ":"))
			.mapToLong((line) -> Long.parseLong(line.replaceAll("^[^:]+:calls=(\\d+),.*", "$1")))
			.sum();
	}

	/** Calls of a command on each master, as {@code INFO commandstats} counts them (commands run by scripts too). */
	private static Map<RedisServer, Long> calls(String command) {
		return cluster().masters()
			.stream()
			.collect(Collectors.toMap(Function.identity(), (master) -> calls(master, command)));
	}

	private static boolean sharded() {
		return ClusterConnections.shardedPubSub(cluster());
	}

	private static RedisCluster cluster() {
		return redis.cluster();
	}

}

package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Many callers on one key, in several managers (as several application instances): callers of one manager queue
 * locally and receive the lease by direct handoff; the lease goes back to Redis within the fairness bound; waiting
 * stays exclusive, interruptible and bounded by the wait time while the key keeps changing hands.
 */
class ContentionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private static final Duration TTL = Duration.ofSeconds(30);

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<RedisLockManager> managers = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws InterruptedException {
		// Not interrupted: a releaser interrupted inside its round trip leaves the outcome to the background clean-up
		this.threads.shutdown();
		assertThat(this.threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		this.managers.forEach(RedisLockManager::close);
		this.factories.forEach(LettuceConnectionFactory::destroy);
		assertThat(redis.server().execute("EXISTS", leaseKey("item"))).as("lease left in Redis").isEqualTo(0L);
	}

	@Test
	void holdersNeverOverlapAndFencingTokensRiseAcrossLocalHandoffsAndRedisReleases() throws Exception {
		List<RedisLockManager> instances = List.of(manager(), manager(), manager(), manager());
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		AtomicInteger regressions = new AtomicInteger();
		AtomicLong lastToken = new AtomicLong();
		AtomicInteger lastHolder = new AtomicInteger(-1);
		AtomicInteger sameInstance = new AtomicInteger();
		AtomicInteger otherInstance = new AtomicInteger();
		int[] counter = new int[1];
		List<Future<?>> work = new ArrayList<>();
		for (int i = 0; i < instances.size(); i++) {
			int instance = i;
			for (int t = 0; t < 3; t++) {
				work.add(this.threads.submit(() -> {
					for (int n = 0; n < 250; n++) {
						try (Lease lease = instances.get(instance).acquire("hot", TTL, Duration.ofSeconds(60))) {
							if (inside.incrementAndGet() != 1) {
								overlaps.incrementAndGet();
							}
							if (lease.fencingToken() <= lastToken.get()) {
								regressions.incrementAndGet();
							}
							lastToken.set(lease.fencingToken());
							(lastHolder.getAndSet(instance) == instance ? sameInstance : otherInstance)
								.incrementAndGet();
							int read = counter[0];
							Thread.yield();
							counter[0] = read + 1;
							inside.decrementAndGet();
						}
					}
					return null;
				}));
			}
		}
		for (Future<?> done : work) {
			done.get(120, TimeUnit.SECONDS);
		}
		assertThat(overlaps).hasValue(0);
		assertThat(regressions).hasValue(0);
		assertThat(counter[0]).isEqualTo(4 * 3 * 250);
		assertThat(sameInstance.get()).as("acquisitions after a holder of the same instance").isPositive();
		assertThat(otherInstance.get()).as("acquisitions after a holder of another instance").isPositive();
	}

	@Test
	void callersOfOneInstanceOnlyEverReceiveTheLeaseByHandoffWhileOthersQueue() throws Exception {
		RedisLockManager manager = manager(
				RedisLockManager.builder(factory()).handoff(Integer.MAX_VALUE, Duration.ofDays(1)));
		AtomicLong slowest = new AtomicLong();
		AtomicInteger acquired = new AtomicInteger();
		// All 8 queue behind a first holder, so no one starts alone while the others' threads are still starting
		Lease gate = manager.acquire("item", TTL, Duration.ofSeconds(1));
		long published = publishedReleases();
		List<Future<?>> work = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			work.add(this.threads.submit(() -> {
				for (int n = 0; n < 300; n++) {
					long start = System.nanoTime();
					try (Lease lease = manager.acquire("item", TTL, Duration.ofSeconds(60))) {
						slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
						acquired.incrementAndGet();
					}
				}
				return null;
			}));
		}
		Thread.sleep(300);
		gate.release();
		for (Future<?> done : work) {
			done.get(120, TimeUnit.SECONDS);
		}
		System.out.println("8 callers of one instance: slowest acquire " + Duration.ofNanos(slowest.get()));
		// A release goes to Redis only when no one is queued: at the start and at the end of the run
		assertThat(publishedReleases() - published).as("releases published in %s acquisitions", acquired)
			.isLessThan(20);
	}

	@Test
	void aParkedCallerIsHandedTheLeaseWithAHigherFencingTokenWithoutARelease() throws Exception {
		releaseToAQueuedCaller(manager(RedisLockManager.builder(factory()).handoff(16, Duration.ofMinutes(1))), 0);
	}

	@Test
	void withHandoffTurnedOffAQueuedCallerGetsTheLeaseThroughRedis() throws Exception {
		releaseToAQueuedCaller(manager(RedisLockManager.builder(factory()).handoff(0, Duration.ofMinutes(1))), 1);
	}

	@Test
	void aLeaseTakenWithoutWaitingIsPassedOnThroughRedisTheFirstTime() throws Exception {
		RedisLockManager manager = manager(RedisLockManager.builder(factory()).handoff(16, Duration.ofMinutes(1)));
		Lease untracked = manager.tryAcquire("item", TTL).orElseThrow();
		CompletableFuture<Lease> next = acquireLater(manager, "item", Duration.ofSeconds(10));
		awaitParked(next);
		long published = publishedReleases();
		untracked.release();
		next.get(5, TimeUnit.SECONDS).release();
		assertThat(publishedReleases() - published).as("release notifications published").isEqualTo(2);
	}

	@Test
	void aRemoteClientQueuedBehindALocalHolderIsHandedTheLease() throws Exception {
		RedisLockManager manager = manager(RedisLockManager.builder(factory()).handoff(16, Duration.ofMinutes(1)));
		Lease holder = manager.acquire("item", TTL, Duration.ofSeconds(1));
		CompletableFuture<ClientLeases.Grant> client = CompletableFuture.supplyAsync(() -> manager.clientLeases()
			.acquire(LockRequest.of("default", "item", TTL).withWaitTime(Duration.ofSeconds(10))), this.threads);
		Thread.sleep(200);
		assertThat(client).isNotDone();
		long published = publishedReleases();
		holder.release();
		ClientLeases.Grant grant = client.get(5, TimeUnit.SECONDS);
		assertThat(publishedReleases() - published).as("release notifications published").isZero();
		assertThat(grant.fencingToken()).isGreaterThan(holder.fencingToken());
		assertThat(manager.heldLeases()).as("a client's lease is not this process's").isEmpty();
		assertThat(manager.clientLeases().release("default", "item", grant.token())).isTrue();
	}

	/**
	 * A holder releases while one caller of its manager is queued: the caller gets the next lease, with a higher
	 * fencing token, and {@code published} release notifications are sent meanwhile.
	 */
	private void releaseToAQueuedCaller(RedisLockManager manager, long published) throws Exception {
		Lease holder = manager.acquire("item", TTL, Duration.ofSeconds(1));
		CompletableFuture<Lease> next = acquireLater(manager, "item", Duration.ofSeconds(10));
		awaitParked(next);
		long publishedBefore = publishedReleases();
		holder.release();
		Lease taken = next.get(5, TimeUnit.SECONDS);
		assertThat(publishedReleases() - publishedBefore).as("release notifications published").isEqualTo(published);
		assertThat(taken.fencingToken()).isGreaterThan(holder.fencingToken());
		taken.release();
	}

	@Test
	void theLeaseGoesBackToRedisAfterTheHandoffBoundSoOtherInstancesGetTheirTurn() throws Exception {
		RedisLockManager local = manager(RedisLockManager.builder(factory()).handoff(2, Duration.ofMinutes(1)));
		RedisLockManager remote = manager();
		Lease held = local.acquire("item", TTL, Duration.ofSeconds(1));
		CompletableFuture<Lease> remoteWaiter = acquireLater(remote, "item", Duration.ofSeconds(20));
		awaitParked(remoteWaiter);
		for (int handoff = 1; handoff <= 2; handoff++) {
			CompletableFuture<Lease> localWaiter = acquireLater(local, "item", Duration.ofSeconds(20));
			awaitParked(localWaiter);
			long published = publishedReleases();
			held.release();
			held = localWaiter.get(5, TimeUnit.SECONDS);
			assertThat(publishedReleases() - published).as("releases published by handoff %d", handoff).isZero();
		}
		CompletableFuture<Lease> localWaiter = acquireLater(local, "item", Duration.ofSeconds(20));
		awaitParked(localWaiter);
		long published = publishedReleases();
		held.release();
		assertThat(publishedReleases() - published).as("releases published past the bound").isOne();
		// The remote instance waited in Redis's line: the key is promised to it, not raced for
		Lease remoteLease = remoteWaiter.get(5, TimeUnit.SECONDS);
		assertThat(localWaiter).isNotDone();
		remoteLease.release();
		localWaiter.get(5, TimeUnit.SECONDS).release();
	}

	@Test
	void instancesTakeTheReleasedKeyInTheOrderTheyStartedWaiting() throws Exception {
		RedisLockManager holder = manager();
		Lease held = holder.acquire("item", TTL, Duration.ZERO);
		List<String> order = new CopyOnWriteArrayList<>();
		List<CompletableFuture<Void>> waiters = new ArrayList<>();
		for (String name : List.of("first", "second", "third", "fourth")) {
			RedisLockManager instance = manager();
			waiters.add(CompletableFuture.runAsync(() -> {
				try (Lease lease = instance.acquire("item", TTL, Duration.ofSeconds(20))) {
					order.add(name);
				}
			}, this.threads));
			int inLine = waiters.size();
			await().atMost(Duration.ofSeconds(5)).until(() -> lineLength("item") == inLine);
		}
		assertThat((Long) redis.server().execute("PTTL", keys("item").line())).as("the line's expiry").isPositive();
		held.release();
		CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
		assertThat(order).containsExactly("first", "second", "third", "fourth");
		assertThat(redis.server().execute("EXISTS", keys("item").line(), keys("item").turn())).isEqualTo(0L);
	}

	@Test
	void aKeyPromisedToAnInstanceThatDoesNotComeIsTakenByTheNextWhenTheTurnRunsOut() throws Exception {
		RedisLockManager holder = manager(RedisLockManager.builder(factory()).handoff(16, Duration.ofSeconds(2)));
		// Woken only by releases, and by the end of the promise: no backoff attempts in between
		RedisLockManager other = manager(RedisLockManager.builder(factory())
			.backOff(Duration.ofSeconds(20), 1.0, Duration.ofSeconds(20), Duration.ZERO));
		Lease held = holder.acquire("item", TTL, Duration.ZERO);
		// An instance that stopped (killed while it waited) is first in line
		redis.server().execute("ZADD", keys("item").line(), "1", "stopped-instance");
		CompletableFuture<Lease> waiter = acquireLater(other, "item", Duration.ofSeconds(20));
		await().atMost(Duration.ofSeconds(5)).until(() -> lineLength("item") == 2);
		long scripts = scriptCalls();
		long released = System.nanoTime();
		held.release();
		assertThat(redis.server().execute("GET", keys("item").turn())).isEqualTo("stopped-instance");
		assertThat((Long) redis.server().execute("PTTL", keys("item").turn())).isBetween(1L, 2000L);
		assertThat(other.tryAcquire("item", TTL)).as("taken during another instance's turn").isEmpty();
		Thread.sleep(1000);
		// The release's message named the instance the key is promised to: the waiter did not try meanwhile
		assertThat(scriptCalls() - scripts).as("scripts run: the release and the tryAcquire").isEqualTo(2);
		Lease taken = waiter.get(10, TimeUnit.SECONDS);
		assertThat(Duration.ofNanos(System.nanoTime() - released)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
		taken.release();
	}

	@Test
	void anInstanceWhoseCallersGaveUpLeavesTheLineAndCallersThatDoNotWaitNeverJoinIt() throws Exception {
		RedisLockManager holder = manager();
		RedisLockManager patient = manager();
		RedisLockManager impatient = manager();
		Lease held = holder.acquire("item", TTL, Duration.ZERO);
		CompletableFuture<Lease> waiter = acquireLater(patient, "item", Duration.ofSeconds(20));
		await().atMost(Duration.ofSeconds(5)).until(() -> lineLength("item") == 1);
		assertThat(impatient.tryAcquire("item", TTL)).isEmpty();
		assertThat(lineLength("item")).isOne();
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> impatient.acquire("item", TTL, Duration.ofMillis(300)));
		assertThat(lineLength("item")).as("left when its wait ran out").isOne();
		held.release();
		waiter.get(5, TimeUnit.SECONDS).release();
	}

	@Test
	void aProcessThatLeavesTheLineGivesUpTheTurnPromisedToItAndWakesTheOthers() {
		LettuceConnectionFactory factory = factory();
		RedisLeaseStore holder = store(factory);
		RedisLeaseStore leaving = store(factory);
		LockKeys keys = keys("item");
		assertThat(holder.acquire(keys, "holder", 30_000, 0, 0).acquired()).isTrue();
		assertThat(leaving.acquire(keys, "leaving", 30_000, 0, 10_000).acquired()).isFalse();
		assertThat(holder.release(keys, "holder")).isTrue();
		assertThat(redis.server().execute("EXISTS", keys.turn())).as("promised to the leaving process").isEqualTo(1L);
		assertThat(holder.acquire(keys, "other", 30_000, 0, 0).acquired()).isFalse();
		long published = publishedReleases();
		leaving.leaveLine(keys, RedisConnections.COMMAND_TIMEOUT);
		assertThat(publishedReleases() - published).as("waiters woken").isOne();
		assertThat(redis.server().execute("EXISTS", keys.turn(), keys.line())).isEqualTo(0L);
		assertThat(holder.acquire(keys, "other", 30_000, 0, 0).acquired()).isTrue();
		assertThat(holder.release(keys, "other")).isTrue();
	}

	@Test
	void aReleaseInAnotherInstanceWakesItsWaitersLongBeforeTheirBackoff() throws Exception {
		RedisLockManager holderInstance = manager();
		RedisLockManager waiterInstance = manager(RedisLockManager.builder(factory())
			.backOff(Duration.ofSeconds(20), 1.0, Duration.ofSeconds(20), Duration.ZERO));
		Lease holder = holderInstance.acquire("item", TTL, Duration.ZERO);
		CompletableFuture<Lease> contender = acquireLater(waiterInstance, "item", Duration.ofSeconds(30));
		CompletableFuture<Lease> parked = acquireLater(waiterInstance, "item", Duration.ofSeconds(30));
		awaitParked(contender);
		awaitParked(parked);
		long released = System.nanoTime();
		holder.release();
		Lease first = CompletableFuture.anyOf(contender, parked).thenApply(Lease.class::cast).get(5, TimeUnit.SECONDS);
		first.release();
		Lease second = ((first == contender.getNow(null)) ? parked : contender).get(5, TimeUnit.SECONDS);
		second.release();
		assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void successiveWaitsShareOneSubscriberConnection() throws Exception {
		RedisLockManager holderInstance = manager();
		RedisLockManager waiterInstance = manager();
		Set<String> subscribers = null;
		for (int turn = 0; turn < 3; turn++) {
			Lease holder = holderInstance.acquire("item", TTL, Duration.ZERO);
			CompletableFuture<Lease> waiter = acquireLater(waiterInstance, "item", Duration.ofSeconds(10));
			awaitParked(waiter);
			holder.release();
			waiter.get(5, TimeUnit.SECONDS).release();
			// Between turns no one waits: a hot key's waiters come and go, the connection must stay
			Set<String> now = pubSubClientIds();
			if (subscribers == null) {
				subscribers = now;
			}
			else {
				subscribers.retainAll(now);
			}
		}
		assertThat(subscribers).as("pub/sub connections open through all three turns").isNotEmpty();
	}

	private static Set<String> pubSubClientIds() {
		Matcher ids = Pattern.compile("id=(\\d+)")
			.matcher(String.valueOf(redis.server().execute("CLIENT", "LIST", "TYPE", "pubsub")));
		Set<String> found = new HashSet<>();
		while (ids.find()) {
			found.add(ids.group(1));
		}
		return found;
	}

	@Test
	void aParkedCallerGivesUpAtItsWaitTimeWhileTheKeyIsHeldLocally() throws Exception {
		RedisLockManager manager = manager();
		Lease holder = manager.acquire("item", TTL, Duration.ofSeconds(1));
		CompletableFuture<Lease> contender = acquireLater(manager, "item", Duration.ofSeconds(10));
		awaitParked(contender);
		long start = System.nanoTime();
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> manager.acquire("item", TTL, Duration.ofMillis(300)))
			.withMessageContaining("within PT0.3S");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300),
				Duration.ofMillis(1300));
		holder.release();
		contender.get(5, TimeUnit.SECONDS).release();
	}

	@Test
	void aWaiterWhoseWaitTimeRanOutIsSkippedAndTheLeaseGoesToTheNextWaiter() throws Exception {
		RedisLockManager manager = manager(RedisLockManager.builder(factory()).handoff(16, Duration.ofMinutes(1)));
		Lease holder = manager.acquire("item", TTL, Duration.ofSeconds(1));
		CompletableFuture<Lease> impatient = acquireLater(manager, "item", Duration.ofSeconds(1));
		awaitParked(impatient);
		CompletableFuture<Lease> patient = acquireLater(manager, "item", Duration.ofSeconds(10));
		awaitParked(patient);
		assertThat(impatient).failsWithin(Duration.ofSeconds(5));
		long published = publishedReleases();
		holder.release();
		Lease next = patient.get(5, TimeUnit.SECONDS);
		assertThat(publishedReleases() - published).as("released to Redis instead of handed over").isZero();
		assertThat(next.fencingToken()).isGreaterThan(holder.fencingToken());
		next.release();
		assertThat(redis.server().execute("EXISTS", leaseKey("item"))).isEqualTo(0L);
	}

	@Test
	void aLeaseNoWaiterCanTakeAnyMoreGoesBackToRedis() throws Exception {
		RedisLockManager manager = manager(RedisLockManager.builder(factory()).handoff(16, Duration.ofMinutes(1)));
		Lease holder = manager.acquire("item", TTL, Duration.ofSeconds(1));
		CompletableFuture<Lease> impatient = acquireLater(manager, "item", Duration.ofSeconds(1));
		awaitParked(impatient);
		assertThat(impatient).failsWithin(Duration.ofSeconds(5));
		long published = publishedReleases();
		holder.release();
		assertThat(publishedReleases() - published).isOne();
		assertThat(redis.server().execute("EXISTS", leaseKey("item"))).isEqualTo(0L);
	}

	@Test
	void waitersWithShortWaitTimesNeverStrandALease() throws Exception {
		RedisLockManager manager = manager();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicInteger acquired = new AtomicInteger();
		AtomicInteger lost = new AtomicInteger();
		List<Future<?>> work = new ArrayList<>();
		for (int t = 0; t < 6; t++) {
			work.add(this.threads.submit(() -> {
				ThreadLocalRandom random = ThreadLocalRandom.current();
				while (!stop.get()) {
					Lease lease;
					try {
						lease = manager.acquire("item", TTL, Duration.ofMillis(1 + random.nextInt(5)));
					}
					catch (LockNotAcquiredException ex) {
						continue;
					}
					acquired.incrementAndGet();
					spin(random.nextInt(2000));
					try {
						lease.release();
					}
					catch (RuntimeException ex) {
						lost.incrementAndGet();
					}
				}
				return null;
			}));
		}
		Thread.sleep(3000);
		stop.set(true);
		for (Future<?> done : work) {
			done.get(30, TimeUnit.SECONDS);
		}
		assertThat(acquired.get()).isPositive();
		assertThat(lost).hasValue(0);
		// A lease handed to a caller that had given up would stay locked for its 30s ttl
		assertThat(redis.server().execute("EXISTS", leaseKey("item"))).isEqualTo(0L);
		assertThat(manager.heldLeases()).isEmpty();
	}

	@Test
	void anInterruptedParkedCallerStopsWaitingWhileHandoffsGoOn() throws Exception {
		RedisLockManager manager = manager();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicInteger acquired = new AtomicInteger();
		List<Future<?>> churn = new ArrayList<>();
		for (int t = 0; t < 3; t++) {
			churn.add(this.threads.submit(() -> {
				while (!stop.get()) {
					try (Lease lease = manager.acquire("item", TTL, Duration.ofSeconds(30))) {
						acquired.incrementAndGet();
						Thread.sleep(200);
					}
				}
				return null;
			}));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> acquired.get() >= 2);
		CompletableFuture<Boolean> interruptedFlag = new CompletableFuture<>();
		Thread waiter = new Thread(() -> {
			try {
				manager.acquire("item", TTL, Duration.ofMinutes(1)).release();
				interruptedFlag.completeExceptionally(new AssertionError("acquired though interrupted"));
			}
			catch (LockNotAcquiredException ex) {
				assertThat(ex).hasMessageContaining("Interrupted");
				interruptedFlag.complete(Thread.currentThread().isInterrupted());
			}
		});
		waiter.start();
		Thread.sleep(50);
		long interrupted = System.nanoTime();
		waiter.interrupt();
		assertThat(interruptedFlag.get(5, TimeUnit.SECONDS)).as("interrupt status kept").isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - interrupted)).isLessThan(Duration.ofSeconds(1));
		int before = acquired.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> acquired.get() >= before + 3);
		stop.set(true);
		for (Future<?> done : churn) {
			done.get(10, TimeUnit.SECONDS);
		}
	}

	private CompletableFuture<Lease> acquireLater(RedisLockManager manager, String key, Duration waitTime) {
		return CompletableFuture.supplyAsync(() -> manager.acquire(LockRequest.of("default", key, TTL)
			.withWaitTime(waitTime)), this.threads);
	}

	/** Gives the caller time to queue behind the holder (it can be seen from outside only by its effects). */
	private static void awaitParked(CompletableFuture<Lease> caller) throws InterruptedException {
		Thread.sleep(200);
		assertThat(caller).isNotDone();
	}

	private RedisLockManager manager() {
		return manager(RedisLockManager.builder(factory()));
	}

	private RedisLockManager manager(RedisLockManagerBuilder builder) {
		RedisLockManager manager = builder.build();
		this.managers.add(manager);
		return manager;
	}

	private LettuceConnectionFactory factory() {
		LettuceConnectionFactory factory = RedisConnections.connectionFactory(redis.server());
		this.factories.add(factory);
		return factory;
	}

	private static String leaseKey(String key) {
		return keys(key).lease();
	}

	private static LockKeys keys(String key) {
		return LockKeys.of("lock:", "default", key);
	}

	/** How many instances wait in Redis's line for the key. */
	private static long lineLength(String key) {
		return (Long) redis.server().execute("ZCARD", keys(key).line());
	}

	private static RedisLeaseStore store(LettuceConnectionFactory factory) {
		StringRedisTemplate template = new StringRedisTemplate(factory);
		template.afterPropertiesSet();
		return new RedisLeaseStore(template, Duration.ofDays(7).toMillis(), RedisConnections.COMMAND_TIMEOUT,
				Duration.ofMillis(500), false, OwnerTokens.next(), Duration.ofSeconds(10));
	}

	private static void spin(long nanos) {
		long until = System.nanoTime() + nanos * 1000;
		while (System.nanoTime() < until) {
			Thread.onSpinWait();
		}
	}

	private static long scriptCalls() {
		return redis.server().commandCalls("evalsha") + redis.server().commandCalls("eval");
	}

	private static long publishedReleases() {
		return redis.server().commandCalls("publish");
	}

}

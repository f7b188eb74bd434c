package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseListener;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * What {@link LeaseListener}s and the {@code lock.acquire} observation are told, against a real Redis server.
 */
class LeaseListenerTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final Queue<String> events = new ConcurrentLinkedQueue<>();

	private final TestObservationRegistry observations = TestObservationRegistry.create();

	private LettuceConnectionFactory factory;

	private RedisLockManager manager;

	private String key;

	@BeforeEach
	void start() {
		this.key = "key-" + UUID.randomUUID();
		this.factory = RedisConnections.connectionFactory(redis.server());
		this.manager = RedisLockManager.builder(this.factory)
			.listener(new Recorder())
			.observationRegistry(this.observations)
			.build();
	}

	@AfterEach
	void stop() {
		this.manager.close();
		this.factory.destroy();
	}

	private LockRequest request(Duration ttl) {
		return LockRequest.of("orders", this.key, ttl);
	}

	@Test
	void acquisitionAndReleaseAreReportedWithWaitAndHoldTimes() {
		Lease lease = this.manager.acquire(request(Duration.ofSeconds(10)));
		lease.release();
		assertThat(this.events).containsExactly("acquired orders", "released orders");
	}

	@Test
	void timeoutIsReportedAsNotAcquired() {
		this.manager.acquire(request(Duration.ofSeconds(10)));
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> this.manager.acquire(request(Duration.ofSeconds(10)).withWaitTime(Duration.ofMillis(50))));
		assertThat(this.events).containsExactly("acquired orders", "notAcquired orders timeout");
	}

	@Test
	void busyTryAcquireIsReportedAsNotAcquired() {
		this.manager.acquire(request(Duration.ofSeconds(10)));
		assertThat(this.manager.tryAcquire(request(Duration.ofSeconds(10)))).isEmpty();
		assertThat(this.events).containsExactly("acquired orders", "notAcquired orders timeout");
	}

	@Test
	void backgroundRenewalIsReported() {
		this.manager.acquire(request(Duration.ofMillis(300)));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.events.contains("renewed orders"));
	}

	@Test
	void refusedRenewalIsReportedAsLostAndTheLaterReleaseAsReleasedAfterLoss() {
		Lease lease = this.manager.acquire(request(Duration.ofMillis(300)));
		redis.server().execute("DEL", LockKeys.of("lock:", "orders", this.key).lease());
		await().atMost(Duration.ofSeconds(5)).until(() -> this.events.contains("lost orders"));
		assertThatExceptionOfType(LeaseLostException.class).isThrownBy(lease::release);
		assertThat(this.events).endsWith("lost orders", "releasedAfterLoss orders");
	}

	@Test
	void explicitRenewalIsReportedLikeABackgroundOne() {
		Lease lease = this.manager.acquire(request(Duration.ofSeconds(10)).withRenewal(false));
		lease.renew(Duration.ofSeconds(10));
		redis.server().pause();
		try {
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> lease.renew(Duration.ofSeconds(10)));
		}
		finally {
			redis.server().resume();
		}
		redis.server().execute("DEL", LockKeys.of("lock:", "orders", this.key).lease());
		assertThatExceptionOfType(LeaseLostException.class).isThrownBy(() -> lease.renew(Duration.ofSeconds(10)));
		assertThat(this.events).containsExactly("acquired orders", "renewed orders", "renewalFailed orders",
				"lost orders");
	}

	@Test
	void unreachableRedisIsReportedAsAnErrorOutcome() {
		redis.server().pause();
		try {
			assertThatExceptionOfType(LockBackendUnavailableException.class)
				.isThrownBy(() -> this.manager.acquire(request(Duration.ofSeconds(10))));
		}
		finally {
			redis.server().resume();
		}
		assertThat(this.events).containsExactly("notAcquired orders error");
		TestObservationRegistryAssert.assertThat(this.observations)
			.hasObservationWithNameEqualTo("lock.acquire")
			.that()
			.hasLowCardinalityKeyValue("outcome", "error")
			.hasError();
	}

	@Test
	void acquisitionIsObservedWithTheLockNameButNotTheKey() {
		this.manager.acquire(request(Duration.ofSeconds(10)));
		TestObservationRegistryAssert.assertThat(this.observations)
			.hasObservationWithNameEqualTo("lock.acquire")
			.that()
			.hasBeenStarted()
			.hasBeenStopped()
			.hasLowCardinalityKeyValue("lock.name", "orders")
			.hasLowCardinalityKeyValue("outcome", "acquired")
			.doesNotHaveHighCardinalityKeyValueWithKey("lock.key");
	}

	@Test
	void remoteClientsAcquisitionsAreObservedButNotReportedToListeners() {
		this.manager.clientLeases().acquire(request(Duration.ofSeconds(10)));
		assertThatExceptionOfType(LockNotAcquiredException.class)
			.isThrownBy(() -> this.manager.clientLeases().acquire(request(Duration.ofSeconds(10))));
		TestObservationRegistryAssert.assertThat(this.observations)
			.hasNumberOfObservationsWithNameEqualTo("lock.acquire", 2)
			.hasAnObservation((observation) -> observation.hasLowCardinalityKeyValue("lock.name", "orders")
				.hasLowCardinalityKeyValue("outcome", "acquired"))
			.hasAnObservation((observation) -> observation.hasLowCardinalityKeyValue("lock.name", "orders")
				.hasLowCardinalityKeyValue("outcome", "timeout"));
		assertThat(this.events).isEmpty();
	}

	@Test
	void failingListenerDoesNotChangeTheOutcome() {
		LettuceConnectionFactory other = RedisConnections.connectionFactory(redis.server());
		try (RedisLockManager failing = RedisLockManager.builder(other).listener(new LeaseListener() {
			@Override
			public void acquired(Lease lease, Duration waited) {
				throw new IllegalStateException("listener bug");
			}
		}).listener(new Recorder()).build()) {
			Lease lease = failing.acquire(request(Duration.ofSeconds(10)));
			assertThat(lease.isHeld()).isTrue();
			assertThat(this.events).containsExactly("acquired orders");
		}
		finally {
			other.destroy();
		}
	}

	@Test
	void forceReleaseDeletesTheLeaseAndReportsItLostToItsHolder() {
		Lease lease = this.manager.acquire(request(Duration.ofSeconds(10)));
		assertThat(this.manager.forceRelease("orders", this.key, "stuck job")).isEqualTo(1);
		assertThat(this.manager.tryAcquire(request(Duration.ofSeconds(10)))).isPresent();
		assertThatExceptionOfType(LeaseLostException.class).isThrownBy(lease::release)
			.withMessageContaining("force-released: stuck job");
		assertThat(this.events).startsWith("acquired orders", "lost orders");
	}

	@Test
	void forceReleaseOfAKeyThisManagerDoesNotHoldReleasesNothing() {
		try (RedisLockManager otherManager = RedisLockManager.builder(this.factory).build()) {
			Lease other = otherManager.acquire(request(Duration.ofSeconds(10)));
			assertThat(this.manager.forceRelease("orders", this.key, "not mine")).isZero();
			assertThat(other.isHeld()).isTrue();
		}
	}

	@Test
	void heldLeasesListsOnlyLeasesStillHeldOldestFirst() {
		Lease first = this.manager.acquire(request(Duration.ofSeconds(10)));
		Lease second = this.manager.acquire(LockRequest.of("orders", this.key + "-2", Duration.ofSeconds(10)));
		Lease third = this.manager.acquire(LockRequest.of("orders", this.key + "-3", Duration.ofSeconds(10)));
		second.release();
		assertThat(this.manager.heldLeases()).containsExactly(first, third);
		assertThat(first.acquiredAt()).isBeforeOrEqualTo(third.acquiredAt());
	}

	private final class Recorder implements LeaseListener {

		@Override
		public void acquired(Lease lease, Duration waited) {
			assertThat(waited.isNegative()).isFalse();
			LeaseListenerTests.this.events.add("acquired " + lease.name());
		}

		@Override
		public void notAcquired(LockRequest request, Duration waited, LockNotAcquiredException reason) {
			LeaseListenerTests.this.events.add("notAcquired " + request.name() + " "
					+ ((reason instanceof LockBackendUnavailableException) ? "error" : "timeout"));
		}

		@Override
		public void released(Lease lease, Duration held) {
			assertThat(held).isPositive();
			LeaseListenerTests.this.events.add("released " + lease.name());
		}

		@Override
		public void renewed(Lease lease) {
			LeaseListenerTests.this.events.add("renewed " + lease.name());
		}

		@Override
		public void renewalFailed(Lease lease, RuntimeException cause) {
			LeaseListenerTests.this.events.add("renewalFailed " + lease.name());
		}

		@Override
		public void lost(Lease lease, String reason) {
			LeaseListenerTests.this.events.add("lost " + lease.name());
		}

		@Override
		public void releasedAfterLoss(Lease lease) {
			LeaseListenerTests.this.events.add("releasedAfterLoss " + lease.name());
		}

	}

}

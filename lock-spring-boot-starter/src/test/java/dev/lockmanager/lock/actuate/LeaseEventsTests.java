package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseAcquiredEvent;
import dev.lockmanager.lock.LeaseEvent;
import dev.lockmanager.lock.LeaseLostEvent;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LeaseNotAcquiredEvent;
import dev.lockmanager.lock.LeaseReleasedAfterLossEvent;
import dev.lockmanager.lock.LeaseReleasedEvent;
import dev.lockmanager.lock.LeaseRenewalFailedEvent;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Lease events reach an {@code @EventListener} bean of the application, on the thread where the lease changed, for
 * real lock operations on a real Redis server.
 */
class LeaseEventsTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final ApplicationContextRunner runner = RedisApplications.on(redis.server())
		.withConfiguration(AutoConfigurations.of(LockEventsAutoConfiguration.class))
		.withUserConfiguration(Listeners.class);

	private final String key = "key-" + UUID.randomUUID();

	@Test
	void acquisitionAndReleaseArePublishedOnTheCallersThread() {
		this.runner.run((context) -> {
			Lease lease = context.getBean(RedisLockManager.class).acquire(request(Duration.ofSeconds(10)));
			lease.release();
			List<Received> events = context.getBean(Recorder.class).events();
			assertThat(events).extracting(Received::event)
				.hasExactlyElementsOfTypes(LeaseAcquiredEvent.class, LeaseReleasedEvent.class)
				.allSatisfy((event) -> assertThat(event.key()).isEqualTo(this.key));
			assertThat(events).extracting(Received::thread).containsOnly(Thread.currentThread().getName());
			LeaseReleasedEvent released = (LeaseReleasedEvent) events.get(1).event();
			assertThat(released.lease()).isSameAs(lease);
			assertThat(released.held()).isPositive();
		});
	}

	@Test
	void timeoutIsPublishedAsNotAcquired() {
		this.runner.run((context) -> {
			RedisLockManager locks = context.getBean(RedisLockManager.class);
			locks.acquire(request(Duration.ofSeconds(10)));
			assertThatExceptionOfType(LockNotAcquiredException.class)
				.isThrownBy(() -> locks.acquire(request(Duration.ofSeconds(10)).withWaitTime(Duration.ofMillis(50))));
			LeaseNotAcquiredEvent event = context.getBean(Recorder.class).last(LeaseNotAcquiredEvent.class);
			assertThat(event.name()).isEqualTo("orders");
			assertThat(event.backendUnavailable()).isFalse();
			assertThat(event.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
		});
	}

	@Test
	void unreachableRedisIsPublishedAsNotAcquiredWithTheBackendUnavailable() {
		this.runner.run((context) -> {
			redis.server().pause();
			try {
				assertThatExceptionOfType(LockBackendUnavailableException.class).isThrownBy(
						() -> context.getBean(RedisLockManager.class).acquire(request(Duration.ofSeconds(10))));
			}
			finally {
				redis.server().resume();
			}
			assertThat(context.getBean(Recorder.class).last(LeaseNotAcquiredEvent.class).backendUnavailable()).isTrue();
		});
	}

	@Test
	void lossIsPublishedOnTheRenewalThreadAndTheLaterReleaseAsReleasedAfterLoss() {
		this.runner.run((context) -> {
			Lease lease = context.getBean(RedisLockManager.class).acquire(request(Duration.ofMillis(300)));
			Recorder recorder = context.getBean(Recorder.class);
			redis.server().execute("DEL", "lock:{orders:" + this.key + "}");
			await().atMost(Duration.ofSeconds(5)).until(() -> recorder.has(LeaseLostEvent.class));
			assertThat(recorder.received(LeaseLostEvent.class).thread()).startsWith("lock-renewal-");
			assertThat(recorder.last(LeaseLostEvent.class).reason()).contains("renewal was refused");
			assertThatExceptionOfType(LeaseLostException.class).isThrownBy(lease::release);
			assertThat(recorder.last(LeaseReleasedAfterLossEvent.class).lease()).isSameAs(lease);
			assertThat(recorder.has(LeaseReleasedEvent.class)).isFalse();
		});
	}

	@Test
	void renewalThatCannotReachRedisIsPublishedOnTheRenewalThread() {
		this.runner.run((context) -> {
			context.getBean(RedisLockManager.class).acquire(request(Duration.ofSeconds(2)));
			Recorder recorder = context.getBean(Recorder.class);
			redis.server().pause();
			try {
				await().atMost(Duration.ofSeconds(3)).until(() -> recorder.has(LeaseRenewalFailedEvent.class));
			}
			finally {
				redis.server().resume();
			}
			assertThat(recorder.received(LeaseRenewalFailedEvent.class).thread()).startsWith("lock-renewal-");
			assertThat(recorder.last(LeaseRenewalFailedEvent.class).cause()).isNotNull();
		});
	}

	@Test
	void failingEventListenerDoesNotChangeTheOutcomeOfTheLockOperation() {
		this.runner.withUserConfiguration(FailingListener.class).run((context) -> {
			Lease lease = context.getBean(RedisLockManager.class).acquire(request(Duration.ofSeconds(10)));
			assertThat(lease.isHeld()).isTrue();
			lease.release();
			assertThat(redis.server().execute("EXISTS", "lock:{orders:" + this.key + "}")).isEqualTo(0L);
		});
	}

	private LockRequest request(Duration ttl) {
		return LockRequest.of("orders", this.key, ttl);
	}

	record Received(LeaseEvent event, String thread) {
	}

	static final class Recorder {

		private final Queue<Received> events = new ConcurrentLinkedQueue<>();

		@EventListener
		void on(LeaseEvent event) {
			this.events.add(new Received(event, Thread.currentThread().getName()));
		}

		List<Received> events() {
			return List.copyOf(this.events);
		}

		boolean has(Class<? extends LeaseEvent> type) {
			return this.events.stream().anyMatch((received) -> type.isInstance(received.event()));
		}

		Received received(Class<? extends LeaseEvent> type) {
			return this.events.stream().filter((received) -> type.isInstance(received.event())).reduce((a, b) -> b)
				.orElseThrow(() -> new AssertionError("No " + type.getSimpleName() + " in " + this.events));
		}

		<E extends LeaseEvent> E last(Class<E> type) {
			return type.cast(received(type).event());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Listeners {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailingListener {

		@EventListener
		void on(LeaseAcquiredEvent event) {
			throw new IllegalStateException("listener bug");
		}

	}

}

package dev.lockmanager.lock.redis.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.ClientLeases;
import dev.lockmanager.lock.redis.RedisLockManager;

/**
 * Everything the lock manager asks of Redis, through an application's auto-configured manager: acquire, renewal past
 * the ttl, contention, a wait that only a release notification can end in time, release, the health check, and the
 * leases of HTTP clients.
 */
final class LockWorkout {

	/**
	 * The application's backoff: far longer than the test waits, so a waiter that gets the lease was woken by the
	 * release notification.
	 */
	static final String[] SLOW_BACKOFF = { "distributed-lock.backoff.initial-interval=30s",
			"distributed-lock.backoff.max-interval=30s", "distributed-lock.backoff.jitter=0" };

	private static final Duration TTL = Duration.ofSeconds(1);

	private LockWorkout() {
	}

	/**
	 * Runs the workout; the application must have been started with {@link #SLOW_BACKOFF}.
	 */
	static void run(ApplicationContext context) throws Exception {
		RedisLockManager waiting = context.getBean(RedisLockManager.class);
		String name = "workout-" + UUID.randomUUID();
		// Another instance on the same connection, so the lease passes through Redis rather than by local handoff
		try (RedisLockManager holding = RedisLockManager.builder(context.getBean(RedisConnectionFactory.class))
			.build()) {
			Lease renewed = holding.acquire(LockRequest.of(name, "renewed", TTL));
			Awaitility.await().during(TTL.multipliedBy(2)).atMost(TTL.multipliedBy(4)).until(renewed::isHeld);
			assertThat(waiting.tryAcquire(LockRequest.of(name, "renewed", TTL))).as("renewed past its ttl").isEmpty();
			renewed.release();

			// Held for longer than the test waits: only the release notification can end the wait in time
			Lease held = holding.acquire(LockRequest.of(name, "item", Duration.ofSeconds(30)));
			CompletableFuture<Lease> waiter = CompletableFuture.supplyAsync(() -> waiting
				.acquire(LockRequest.of(name, "item", TTL).withWaitTime(Duration.ofSeconds(20))));
			Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !waiter.isDone());
			held.release();
			Lease next = waiter.get(10, TimeUnit.SECONDS);
			assertThat(next.fencingToken()).isGreaterThan(held.fencingToken());
			next.release();
		}
		assertThat(waiting.checkBackend().available()).as("health check").isTrue();
		ClientLeases clients = waiting.clientLeases();
		ClientLeases.Grant grant = clients.acquire(LockRequest.of(name, "client", Duration.ofSeconds(10)));
		assertThat(clients.renew(name, "client", grant.token(), Duration.ofSeconds(10))).isTrue();
		assertThat(clients.inspect(name, "client").held()).isTrue();
		assertThat(clients.release(name, "client", grant.token())).isTrue();
	}

}

package dev.lockmanager.sample.orders.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockRequest;

/**
 * {@code POST /order} when the item's lock cannot be had: 503 with {@code Retry-After}, and the stock untouched.
 */
class LockUnavailableTests extends WebTestSupport {

	/** The wait of {@code OrderService.place}. */
	private static final Duration LOCK_WAIT = Duration.ofSeconds(5);

	@Autowired
	LockManager lockManager;

	@Test
	void orderOfAnItemLockedElsewhereTimesOutWith503AndRetryAfter() {
		String item = newItem(10);
		Lease elsewhere = this.lockManager.tryAcquire(LockRequest.of("inventory", item, Duration.ofSeconds(30)))
			.orElseThrow();
		try {
			long start = System.nanoTime();
			OrderApi.Response response = this.api.order(item, 1);
			Duration waited = Duration.ofNanos(System.nanoTime() - start);

			response.assertProblem(503, "LOCK_TIMEOUT");
			assertThat(response.header("Retry-After")).contains("1");
			assertThat(waited).isGreaterThanOrEqualTo(LOCK_WAIT.minusMillis(100));
			assertThat(stockOf(item)).isEqualTo(10);
			assertThat(orderRowsOf(item)).isZero();
		}
		finally {
			elsewhere.release();
		}
	}

	@Test
	void orderWhileRedisIsDownIs503LockBackendUnavailableAndSucceedsOnceItIsBack() {
		String item = newItem(10);
		this.api.get("/actuator/health"); // the connection to Redis is open when it stops
		redis.server().stop();

		long start = System.nanoTime();
		OrderApi.Response response = this.api.order(item, 1);
		Duration waited = Duration.ofNanos(System.nanoTime() - start);

		response.assertProblem(503, "LOCK_BACKEND_UNAVAILABLE");
		assertThat(response.header("Retry-After")).contains("1");
		assertThat(stockOf(item)).isEqualTo(10);
		assertThat(orderRowsOf(item)).isZero();

		redis.server().start();
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.api.order(item, 1).status() == 201);
		assertThat(stockOf(item)).isEqualTo(9);
		// The lock's wait, not one more Redis command timeout (1s here) for the attempt in flight at its end
		assertThat(waited).isLessThan(LOCK_WAIT.plusMillis(700));
	}

}

package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The lock meters, recorded for real acquisitions, timeouts, renewals and losses on a real Redis server, in a context
 * with Spring Boot's metrics auto-configuration and its in-memory registry.
 */
class LeaseMetricsTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final ApplicationContextRunner runner = RedisApplications.on(redis.server())
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
				LockMetricsAutoConfiguration.class));

	private final String key = "key-" + UUID.randomUUID();

	@Test
	void acquisitionRecordsTheWaitAsAcquiredAndReleaseRecordsTheHoldTime() {
		this.runner.run((context) -> {
			RedisLockManager locks = context.getBean(RedisLockManager.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			Lease lease = locks.acquire(request("orders", Duration.ofSeconds(10)));
			assertThat(wait(meters, "orders", "acquired").count()).isOne();
			lease.release();
			Timer held = meters.get("lock.held").tag("name", "orders").timer();
			assertThat(held.count()).isOne();
			assertThat(held.totalTime(TimeUnit.NANOSECONDS)).isPositive();
		});
	}

	@Test
	void waitThatRunsOutIsRecordedAsTimeout() {
		this.runner.run((context) -> {
			RedisLockManager locks = context.getBean(RedisLockManager.class);
			locks.acquire(request("orders", Duration.ofSeconds(10)));
			assertThatExceptionOfType(LockNotAcquiredException.class).isThrownBy(() -> locks
				.acquire(request("orders", Duration.ofSeconds(10)).withWaitTime(Duration.ofMillis(200))));
			Timer timeouts = wait(context.getBean(MeterRegistry.class), "orders", "timeout");
			assertThat(timeouts.count()).isOne();
			assertThat(timeouts.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(200);
		});
	}

	@Test
	void unreachableRedisIsRecordedAsError() {
		this.runner.run((context) -> {
			RedisLockManager locks = context.getBean(RedisLockManager.class);
			redis.server().pause();
			try {
				assertThatExceptionOfType(LockBackendUnavailableException.class)
					.isThrownBy(() -> locks.acquire(request("orders", Duration.ofSeconds(10))));
			}
			finally {
				redis.server().resume();
			}
			assertThat(wait(context.getBean(MeterRegistry.class), "orders", "error").count()).isOne();
		});
	}

	@Test
	void backgroundRenewalsAreCounted() {
		this.runner.run((context) -> {
			context.getBean(RedisLockManager.class).acquire(request("orders", Duration.ofMillis(300)));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			await().atMost(Duration.ofSeconds(5))
				.until(() -> count(meters, "lock.renewals", "orders") >= 2);
		});
	}

	@Test
	void renewalThatCannotReachRedisIsCountedAsAFailure() {
		this.runner.run((context) -> {
			context.getBean(RedisLockManager.class).acquire(request("orders", Duration.ofSeconds(2)));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			redis.server().pause();
			try {
				await().atMost(Duration.ofSeconds(3)).until(() -> count(meters, "lock.renewal.failures", "orders") >= 1);
			}
			finally {
				redis.server().resume();
			}
			assertThat(count(meters, "lock.lost", "orders")).isZero();
		});
	}

	@Test
	void lossAndTheReleaseOfTheLostLeaseAreCounted() {
		this.runner.run((context) -> {
			Lease lease = context.getBean(RedisLockManager.class).acquire(request("orders", Duration.ofMillis(300)));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			redis.server().execute("DEL", "lock:{orders:" + this.key + "}");
			await().atMost(Duration.ofSeconds(5)).until(() -> count(meters, "lock.lost", "orders") == 1);
			assertThat(count(meters, "lock.lost.releases", "orders")).isZero();
			assertThatExceptionOfType(LeaseLostException.class).isThrownBy(lease::release);
			assertThat(count(meters, "lock.lost.releases", "orders")).isOne();
			assertThat(meters.find("lock.held").timers()).isEmpty();
		});
	}

	@Test
	void gaugeShowsTheLeasesThisInstanceHolds() {
		this.runner.run((context) -> {
			RedisLockManager locks = context.getBean(RedisLockManager.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			Lease first = locks.acquire(request("orders", Duration.ofSeconds(10)));
			Lease second = locks.acquire(LockRequest.of("invoices", this.key, Duration.ofSeconds(10)));
			assertThat(meters.get("lock.leases.held").gauge().value()).isEqualTo(2);
			first.release();
			second.release();
			assertThat(meters.get("lock.leases.held").gauge().value()).isZero();
		});
	}

	@Test
	void metersAreTaggedWithTheLockNameButNeverTheKey() {
		this.runner.run((context) -> {
			RedisLockManager locks = context.getBean(RedisLockManager.class);
			locks.acquire(request("orders", Duration.ofSeconds(10))).release();
			assertThat(context.getBean(MeterRegistry.class).getMeters())
				.filteredOn((meter) -> meter.getId().getName().startsWith("lock."))
				.isNotEmpty()
				.allSatisfy((meter) -> assertThat(meter.getId().getTags())
					.noneMatch((tag) -> tag.getValue().equals(this.key)));
		});
	}

	@Test
	void lockNamesBeyondTheConfiguredMaximumAreRecordedAsOther() {
		this.runner.withPropertyValues("distributed-lock.metrics.max-names=2").run((context) -> {
			RedisLockManager locks = context.getBean(RedisLockManager.class);
			for (String name : new String[] { "orders", "invoices", "refunds", "returns" }) {
				locks.acquire(request(name, Duration.ofSeconds(10))).release();
			}
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.find("lock.wait").timers()).extracting((timer) -> timer.getId().getTag("name"))
				.containsExactlyInAnyOrder("orders", "invoices", "other");
			assertThat(meters.get("lock.held").tag("name", "other").timer().count()).isEqualTo(2);
		});
	}

	private LockRequest request(String name, Duration ttl) {
		return LockRequest.of(name, this.key, ttl);
	}

	private static Timer wait(MeterRegistry meters, String name, String outcome) {
		return meters.get("lock.wait").tag("name", name).tag("outcome", outcome).timer();
	}

	private static double count(MeterRegistry meters, String meter, String name) {
		Counter counter = meters.find(meter).tag("name", name).counter();
		return (counter != null) ? counter.count() : 0;
	}

}

package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The lock names recorded as tag values, on a real Redis server with Spring Boot's metrics and observations: names
 * chosen by HTTP lock API clients cannot grow the meters without bound, nor crowd out the application's own names.
 */
@ExtendWith(OutputCaptureExtension.class)
class LockNameTagsTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final ApplicationContextRunner runner = RedisApplications.on(redis.server())
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
				ObservationAutoConfiguration.class, LockMetricsAutoConfiguration.class))
		.withPropertyValues("distributed-lock.metrics.max-names=3", "distributed-lock.metrics.names=inventory,reports");

	@Test
	void clientsChoosingManyNamesFillTheBudgetThenShareTheTagOtherAndConfiguredNamesKeepTheirs(CapturedOutput output) {
		this.runner.run((context) -> {
			RedisLockManager locks = context.getBean(RedisLockManager.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			for (int i = 0; i < 50; i++) {
				locks.clientLeases().acquire(request("client-" + i));
			}
			locks.acquire(request("inventory")).release();
			locks.acquire(request("reports")).release();
			locks.acquire(request("orders")).release();
			locks.clientLeases().acquire(request("inventory"));

			assertThat(tagValues(meters, "lock.acquire", "lock.name")).containsExactlyInAnyOrder("client-0", "client-1",
					"client-2", "other", "inventory", "reports");
			assertThat(meters.get("lock.acquire").tag("lock.name", "inventory").timer().count()).isEqualTo(2);
			assertThat(meters.get("lock.acquire").tag("lock.name", "other").timer().count()).isEqualTo(48);
			assertThat(tagValues(meters, "lock.wait", "name")).containsExactlyInAnyOrder("inventory", "reports",
					"orders");
			assertThat(output).containsOnlyOnce("distributed-lock.metrics.max-names");
		});
	}

	private static LockRequest request(String name) {
		return LockRequest.of(name, UUID.randomUUID().toString(), Duration.ofSeconds(10));
	}

	private static Set<String> tagValues(MeterRegistry meters, String meter, String tag) {
		Set<String> values = new TreeSet<>();
		for (Meter found : meters.find(meter).meters()) {
			values.add(found.getId().getTag(tag));
		}
		return values;
	}

}

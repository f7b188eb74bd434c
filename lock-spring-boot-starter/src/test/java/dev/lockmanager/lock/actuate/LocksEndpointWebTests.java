package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.lockmanager.lock.actuate.ObservedApplication.Gate;
import dev.lockmanager.lock.actuate.ObservedApplication.ReportJob;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Actuator over HTTP in an application with the starter, on a real Redis server, with the {@code locks} endpoint's
 * default access: {@code /actuator/locks} shows the lease of a running {@code @DistributedLock} method and refuses to
 * force-release it; the lock meters and the lock backend's health appear under {@code /actuator}.
 */
@SpringBootTest(classes = ObservedApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,metrics,locks",
				"management.endpoint.health.show-details=always" })
@AutoConfigureRestTestClient
@DirtiesContext
class LocksEndpointWebTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private static final String DAY = "2024-06-30";

	@DynamicPropertySource
	static void redisProperties(DynamicPropertyRegistry properties) {
		ObservedApplication.connectTo(redis.server(), properties);
	}

	@Autowired
	private RestTestClient http;

	@Autowired
	private ReportJob job;

	@Test
	void locksEndpointShowsTheLeaseOfAnAnnotatedMethodWhileItRuns() throws Exception {
		Instant before = Instant.now();
		Gate gate = Gate.start(this.job, DAY);
		this.http.get()
			.uri("/actuator/locks")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.leases.length()").isEqualTo(1)
			.jsonPath("$.leases[0].name").isEqualTo("reports")
			.jsonPath("$.leases[0].key").isEqualTo(DAY)
			.jsonPath("$.leases[0].fencingToken").value(Long.class, (token) -> assertThat(token).isPositive())
			.jsonPath("$.leases[0].acquiredAt").value(String.class,
					(acquiredAt) -> assertThat(Instant.parse(acquiredAt)).isBetween(before, Instant.now()))
			.jsonPath("$.leases[0].remaining").value(String.class,
					(remaining) -> assertThat(Duration.parse(remaining)).isPositive()
						.isLessThanOrEqualTo(Duration.ofSeconds(10)));
		gate.finish();
		this.http.get().uri("/actuator/locks").exchange().expectBody().jsonPath("$.leases").isEmpty();
	}

	@Test
	void forceReleaseIsRejectedByDefault() throws Exception {
		Gate gate = Gate.start(this.job, DAY);
		this.http.delete()
			.uri("/actuator/locks?name={name}&key={key}", "reports", DAY)
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
		assertThat(redis.server().execute("EXISTS", "lock:{reports:" + DAY + "}")).isEqualTo(1L);
		this.http.get().uri("/actuator/locks").exchange().expectBody().jsonPath("$.leases.length()").isEqualTo(1);
		assertThat(gate.finish()).isPositive();
	}

	@Test
	void lockMetersAppearUnderActuatorMetrics() throws Exception {
		Gate gate = Gate.start(this.job, DAY);
		gate.finish();
		this.http.get()
			.uri("/actuator/metrics")
			.exchange()
			.expectBody()
			.jsonPath("$.names")
			.value(new ParameterizedTypeReference<List<String>>() {
			}, (names) -> assertThat(names).contains("lock.wait", "lock.held", "lock.leases.held", "lock.acquire"));
		this.http.get()
			.uri("/actuator/metrics/lock.wait?tag=name:reports&tag=outcome:acquired")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.measurements[?(@.statistic == 'COUNT')].value")
			.value(new ParameterizedTypeReference<List<Double>>() {
			}, (counts) -> assertThat(counts).singleElement().satisfies((count) -> assertThat(count).isPositive()));
		this.http.get()
			.uri("/actuator/metrics/lock.acquire?tag=lock.name:reports&tag=outcome:acquired")
			.exchange()
			.expectStatus()
			.isOk();
	}

	@Test
	void lockBackendHealthAppearsUnderActuatorHealth() {
		this.http.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.components.distributedLock.status").isEqualTo("UP")
			.jsonPath("$.components.distributedLock.details.required").isEqualTo(1)
			.jsonPath("$.components.distributedLock.details.nodes['127.0.0.1:" + redis.server().port() + "'].status")
			.isEqualTo("UP");
	}

}

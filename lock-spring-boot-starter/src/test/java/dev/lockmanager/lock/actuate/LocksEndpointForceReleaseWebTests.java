package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.actuate.ObservedApplication.Gate;
import dev.lockmanager.lock.actuate.ObservedApplication.ReportJob;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The force-release operation of {@code /actuator/locks} over HTTP once an operator enabled it
 * ({@code management.endpoint.locks.access=unrestricted}), on a real Redis server.
 */
@SpringBootTest(classes = ObservedApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=locks",
				"management.endpoint.locks.access=unrestricted" })
@AutoConfigureRestTestClient
@DirtiesContext
class LocksEndpointForceReleaseWebTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	@DynamicPropertySource
	static void redisProperties(DynamicPropertyRegistry properties) {
		ObservedApplication.connectTo(redis.server(), properties);
	}

	@Autowired
	private RestTestClient http;

	@Autowired
	private ReportJob job;

	@Test
	void forceReleaseDeletesTheLeaseOfARunningMethodWhichThenFailsWithLeaseLost() throws Exception {
		Gate gate = Gate.start(this.job, "2024-07-01");
		this.http.delete()
			.uri("/actuator/locks?name={name}&key={key}&reason={reason}", "reports", "2024-07-01", "stuck report")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.released")
			.isEqualTo(1);
		assertThat(redis.server().execute("EXISTS", "lock:{reports:2024-07-01}")).isEqualTo(0L);
		this.http.get().uri("/actuator/locks").exchange().expectBody().jsonPath("$.leases").isEmpty();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(gate::finish)
			.havingCause()
			.isInstanceOf(LeaseLostException.class)
			.withMessageContaining("force-released: through the locks endpoint: stuck report");
	}

	@Test
	void forceReleaseOfAKeyThisInstanceDoesNotHoldReleasesNothing() throws Exception {
		Gate gate = Gate.start(this.job, "2024-07-02");
		this.http.delete()
			.uri("/actuator/locks?name={name}&key={key}", "reports", "2024-07-03")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.released")
			.isEqualTo(0);
		assertThat(gate.finish()).isPositive();
	}

	@Test
	void forceReleaseWithoutAKeyIsABadRequest() {
		this.http.delete().uri("/actuator/locks?name={name}", "reports").exchange().expectStatus().isBadRequest();
	}

}

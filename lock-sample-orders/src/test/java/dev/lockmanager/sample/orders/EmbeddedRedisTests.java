package dev.lockmanager.sample.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lockmanager.sample.orders.web.OrderApi;

/**
 * The sample's default Redis, the redis-server binary it starts itself, on a free port: killed, it is started again,
 * so orders work again without restarting the service.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "orders.embedded-redis=true", "spring.data.redis.host=127.0.0.1", "spring.data.redis.timeout=1s" })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedRedisTests {

	@LocalServerPort
	int port;

	@Autowired
	EmbeddedRedis embeddedRedis;

	@Autowired
	JdbcClient jdbc;

	@DynamicPropertySource
	static void freePortAndPrivateDatabase(DynamicPropertyRegistry registry) throws IOException {
		int redisPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			redisPort = socket.getLocalPort();
		}
		String url = "jdbc:h2:mem:embedded-" + UUID.randomUUID()
				+ ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
		registry.add("spring.data.redis.port", () -> redisPort);
		registry.add("spring.datasource.url", () -> url);
	}

	@Test
	void killedRedisIsStartedAgainAndOrdersWorkAgain(CapturedOutput output) throws Exception {
		OrderApi api = new OrderApi(this.port);
		this.jdbc.sql("INSERT INTO tb_inventory (item_name, quantity) VALUES ('embedded-item', 10)").update();
		assertThat(api.order("embedded-item", 1).status()).isEqualTo(201);
		ProcessHandle first = this.embeddedRedis.process();
		assertThat(first).isNotNull();

		first.destroyForcibly();
		first.onExit().get(10, TimeUnit.SECONDS);

		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> api.order("embedded-item", 1).status() == 201);
		assertThat(this.embeddedRedis.process().pid()).isNotEqualTo(first.pid());
		assertThat(this.embeddedRedis.process().isAlive()).isTrue();
		assertThat(output).contains("exited; starting it again");
	}

}

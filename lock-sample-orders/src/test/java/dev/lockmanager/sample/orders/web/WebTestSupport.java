package dev.lockmanager.sample.orders.web;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * The sample on a random port, with a real Redis and a private in-memory H2 database per test class. Tests stay
 * independent by ordering items of their own ({@link #newItem(int)}) rather than the seeded ones.
 * <p>
 * Every subclass gets its own Redis server, so its context must not be reused by the next class (the inherited
 * {@code @DynamicPropertySource} method would make the cache keys equal): {@code @DirtiesContext} closes it after the
 * class, before the next one starts.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.data.redis.host=127.0.0.1", "spring.data.redis.timeout=1s",
				"orders.embedded-redis=false" })
@DirtiesContext
abstract class WebTestSupport {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private static final AtomicInteger items = new AtomicInteger();

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	OrderApi api;

	@DynamicPropertySource
	static void redisAndDatabase(DynamicPropertyRegistry registry) {
		// Read now: the supplier may be called again after the server has stopped
		int redisPort = redis.server().port();
		String url = "jdbc:h2:mem:web-" + UUID.randomUUID()
				+ ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
		registry.add("spring.data.redis.port", () -> redisPort);
		registry.add("spring.datasource.url", () -> url);
	}

	@BeforeEach
	void connect() {
		this.api = new OrderApi(this.port);
	}

	/**
	 * Adds an item that no other test orders.
	 * @return its name
	 */
	String newItem(int quantity) {
		String name = "web-item-" + items.incrementAndGet();
		this.jdbc.sql("INSERT INTO tb_inventory (item_name, quantity) VALUES (?, ?)").params(name, quantity).update();
		return name;
	}

	int stockOf(String item) {
		return this.jdbc.sql("SELECT quantity FROM tb_inventory WHERE item_name = ?").param(item).query(Integer.class)
			.single();
	}

	long fencingTokenOf(String item) {
		return this.jdbc.sql("SELECT fencing_token FROM tb_inventory WHERE item_name = ?")
			.param(item)
			.query(Long.class)
			.single();
	}

	long orderRowsOf(String item) {
		return this.jdbc.sql("SELECT COUNT(*) FROM tb_order WHERE item_name = ?").param(item).query(Long.class)
			.single();
	}

}

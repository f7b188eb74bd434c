package dev.lockmanager.sample.orders.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcUtils;

import tools.jackson.databind.JsonNode;

import dev.lockmanager.lock.testing.RedisServerExtension;
import dev.lockmanager.sample.orders.OrderServiceApplication;
import dev.lockmanager.sample.orders.web.OrderApi;

/**
 * The order flow on a real PostgreSQL server, so the SQL is proven on PostgreSQL itself and not only on H2 in
 * PostgreSQL mode: schema and seed, orders, the fenced update, the listing, a concurrent burst that must not oversell,
 * and a restart that runs {@code schema.sql} again. Skipped when PostgreSQL is not installed.
 */
class PostgresOrderFlowTests {

	// First, so that without PostgreSQL nothing else starts
	@RegisterExtension
	@Order(1)
	static final PostgresServerExtension postgres = new PostgresServerExtension();

	@RegisterExtension
	@Order(2)
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private static final Map<String, Integer> SEED = Map.of("item1", 100, "item2", 200, "item3", 150, "item4", 300);

	private static final AtomicInteger items = new AtomicInteger();

	private static ConfigurableApplicationContext app;

	private static OrderApi api;

	private static JdbcClient jdbc;

	@BeforeAll
	static void startApplication() {
		start();
	}

	@AfterAll
	static void stopApplication() {
		if (app != null) {
			app.close();
			app = null;
		}
	}

	@Test
	void schemaScriptCreatedTheTablesAndSeededTheStockOnPostgres() throws Exception {
		String product = JdbcUtils.extractDatabaseMetaData(app.getBean(DataSource.class),
				(metaData) -> metaData.getDatabaseProductName());
		assertThat(product).isEqualTo("PostgreSQL");

		assertThat(seededStock()).isEqualTo(SEED);
	}

	@Test
	void placedOrderIsStoredAndCanBeReadBack() {
		String item = newItem(10);

		OrderApi.Response placed = api.order(item, 4);

		assertThat(placed.status()).as("%s", placed).isEqualTo(201);
		JsonNode order = placed.json();
		long orderId = order.path("order_id").asLong();
		long token = order.path("fencing_token").asLong();
		assertThat(order.path("remaining_stock").asInt()).isEqualTo(6);
		assertThat(token).isPositive();
		assertThat(placed.header("Location")).hasValueSatisfying(
				(location) -> assertThat(location).endsWith("/orders/" + orderId));
		assertThat(stockOf(item)).isEqualTo(6);
		assertThat(fencingTokenOf(item)).isEqualTo(token);

		OrderApi.Response read = api.get("/orders/" + orderId);

		assertThat(read.status()).as("%s", read).isEqualTo(200);
		assertThat(read.json().path("item_name").asString()).isEqualTo(item);
		assertThat(read.json().path("quantity").asInt()).isEqualTo(4);
		assertThat(read.json().path("fencing_token").asLong()).isEqualTo(token);
		assertThat(OffsetDateTime.parse(read.json().path("created_at").asString()))
			.isBefore(OffsetDateTime.now().plusMinutes(1));
	}

	@Test
	void orderLargerThanTheStockIsAConflictAndChangesNothing() {
		String item = newItem(3);

		JsonNode problem = api.order(item, 4).assertProblem(409, "INSUFFICIENT_STOCK");

		assertThat(problem.path("requested").asInt()).isEqualTo(4);
		assertThat(problem.path("available").asInt()).isEqualTo(3);
		assertThat(stockOf(item)).isEqualTo(3);
		assertThat(orderRowsOf(item)).isZero();
	}

	@Test
	void orderOfAnUnknownItemIsNotFound() {
		JsonNode problem = api.order("no-such-item", 1).assertProblem(404, "UNKNOWN_ITEM");

		assertThat(problem.path("item_name").asString()).isEqualTo("no-such-item");
		api.get("/inventory/no-such-item").assertProblem(404, "UNKNOWN_ITEM");
	}

	@Test
	void stockWrittenUnderANewerLeaseRefusesTheFencedUpdateWith503StaleLease() {
		String item = newItem(10);
		jdbc.sql("UPDATE tb_inventory SET fencing_token = ? WHERE item_name = ?").params(Long.MAX_VALUE, item).update();

		OrderApi.Response response = api.order(item, 1);

		response.assertProblem(503, "STALE_LEASE");
		assertThat(response.header("Retry-After")).contains("1");
		assertThat(stockOf(item)).isEqualTo(10);
		assertThat(fencingTokenOf(item)).isEqualTo(Long.MAX_VALUE);
		assertThat(orderRowsOf(item)).isZero();
	}

	@Test
	void ordersArePagedWithTotalsOverAllPagesWithAndWithoutAnItem() {
		String item = newItem(50);
		List<Long> ids = new ArrayList<>();
		for (int quantity = 1; quantity <= 3; quantity++) {
			OrderApi.Response placed = api.order(item, quantity);
			assertThat(placed.status()).as("%s", placed).isEqualTo(201);
			ids.add(placed.json().path("order_id").asLong());
		}

		JsonNode second = page("/orders?item=" + item + "&page=1&size=2");
		JsonNode all = page("/orders?size=1000");

		assertThat(orderIds(second)).containsExactly(ids.get(2));
		assertThat(second.path("totals").path("orders").asLong()).isEqualTo(3);
		assertThat(second.path("totals").path("quantity").asLong()).isEqualTo(6);
		assertThat(all.path("totals").path("orders").asLong())
			.isEqualTo(jdbc.sql("SELECT COUNT(*) FROM tb_order").query(Long.class).single());
		assertThat(all.path("totals").path("quantity").asLong())
			.isEqualTo(jdbc.sql("SELECT COALESCE(SUM(quantity), 0) FROM tb_order").query(Long.class).single());
		assertThat(orderIds(all)).containsSubsequence(ids).isSorted();
	}

	@Test
	void concurrentBurstSellsExactlyTheStockAndNeverOversells() throws Exception {
		String item = newItem(100);
		int requests = 300;
		ExecutorService clients = Executors.newFixedThreadPool(16);
		List<Future<OrderApi.Response>> responses = new ArrayList<>();
		try {
			for (int i = 0; i < requests; i++) {
				responses.add(clients.submit(() -> api.order(item, 1)));
			}
			clients.shutdown();
			assertThat(clients.awaitTermination(5, TimeUnit.MINUTES)).as("burst finished").isTrue();
		}
		finally {
			clients.shutdownNow();
		}
		List<OrderApi.Response> results = new ArrayList<>();
		for (Future<OrderApi.Response> response : responses) {
			results.add(response.get());
		}

		Map<Integer, Long> statuses = results.stream()
			.collect(Collectors.groupingBy(OrderApi.Response::status, Collectors.counting()));
		assertThat(statuses).as("statuses").containsEntry(201, 100L);
		assertThat(statuses.keySet()).as("statuses").isSubsetOf(201, 409, 503);
		assertThat(stockOf(item)).isZero();
		assertThat(orderRowsOf(item)).isEqualTo(100);
		assertThat(jdbc.sql("SELECT SUM(quantity) FROM tb_order WHERE item_name = ?").param(item).query(Long.class)
			.single()).isEqualTo(100);
		// Orders were placed one at a time, each under a newer lease than the one before
		List<Long> tokensByOrderId = jdbc.sql("SELECT fencing_token FROM tb_order WHERE item_name = ? ORDER BY id")
			.param(item)
			.query(Long.class)
			.list();
		assertThat(tokensByOrderId).isSorted().doesNotHaveDuplicates();
		JsonNode totals = page("/orders?item=" + item).path("totals");
		assertThat(totals.path("orders").asLong()).isEqualTo(100);
		assertThat(totals.path("quantity").asLong()).isEqualTo(100);
	}

	@Test
	void restartAgainstTheSameDatabaseRunsTheSchemaScriptAgainWithoutDuplicatingOrResettingTheSeed() {
		String item = newItem(10);
		OrderApi.Response before = api.order(item, 1);
		assertThat(before.status()).as("%s", before).isEqualTo(201);
		long orders = jdbc.sql("SELECT COUNT(*) FROM tb_order").query(Long.class).single();
		// A seeded item whose stock has moved on: the seed must not put it back
		jdbc.sql("UPDATE tb_inventory SET quantity = 7 WHERE item_name = 'item4'").update();
		try {
			stopApplication();
			start();

			assertThat(seededStock()).containsEntry("item4", 7).hasSize(4);
			assertThat(jdbc.sql("SELECT COUNT(*) FROM tb_inventory WHERE item_name = 'item1'").query(Long.class)
				.single()).isOne();
			assertThat(jdbc.sql("SELECT COUNT(*) FROM tb_order").query(Long.class).single()).isEqualTo(orders);
			OrderApi.Response after = api.order(item, 1);
			assertThat(after.status()).as("%s", after).isEqualTo(201);
			assertThat(after.json().path("order_id").asLong()).isGreaterThan(before.json().path("order_id").asLong());
			assertThat(after.json().path("fencing_token").asLong())
				.isGreaterThan(before.json().path("fencing_token").asLong());
			assertThat(stockOf(item)).isEqualTo(8);
		}
		finally {
			if (app != null) {
				jdbc.sql("UPDATE tb_inventory SET quantity = 300 WHERE item_name = 'item4'").update();
			}
		}
	}

	private static void start() {
		app = new SpringApplicationBuilder(OrderServiceApplication.class).run("--server.port=0",
				"--spring.main.banner-mode=off", "--spring.datasource.url=" + postgres.jdbcUrl(),
				"--spring.datasource.username=" + PostgresServerExtension.USER, "--spring.datasource.password=",
				"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.server().port(),
				"--orders.embedded-redis=false");
		api = new OrderApi(app.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
		jdbc = app.getBean(JdbcClient.class);
	}

	private static String newItem(int quantity) {
		String name = "pg-item-" + items.incrementAndGet();
		jdbc.sql("INSERT INTO tb_inventory (item_name, quantity) VALUES (?, ?)").params(name, quantity).update();
		return name;
	}

	private static Map<String, Integer> seededStock() {
		return jdbc.sql("SELECT item_name, quantity FROM tb_inventory WHERE item_name IN ('item1', 'item2', 'item3',"
				+ " 'item4')")
			.query((rs, row) -> Map.entry(rs.getString(1), rs.getInt(2)))
			.list()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
	}

	private static int stockOf(String item) {
		return jdbc.sql("SELECT quantity FROM tb_inventory WHERE item_name = ?").param(item).query(Integer.class)
			.single();
	}

	private static long fencingTokenOf(String item) {
		return jdbc.sql("SELECT fencing_token FROM tb_inventory WHERE item_name = ?")
			.param(item)
			.query(Long.class)
			.single();
	}

	private static long orderRowsOf(String item) {
		return jdbc.sql("SELECT COUNT(*) FROM tb_order WHERE item_name = ?").param(item).query(Long.class).single();
	}

	private static JsonNode page(String path) {
		OrderApi.Response response = api.get(path);
		assertThat(response.status()).as("%s", response).isEqualTo(200);
		return response.json();
	}

	private static List<Long> orderIds(JsonNode page) {
		return page.path("orders").values().stream().map((order) -> order.path("id").asLong()).toList();
	}

}

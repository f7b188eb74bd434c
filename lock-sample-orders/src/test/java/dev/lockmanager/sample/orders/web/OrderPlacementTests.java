package dev.lockmanager.sample.orders.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * {@code POST /order} and {@code GET /orders/{id}}: placed orders, unknown items, insufficient stock, and the fenced
 * stock update.
 */
class OrderPlacementTests extends WebTestSupport {

	@Test
	void placedOrderIsCreatedWithItsBodyAndLocationAndDecreasesTheStock() {
		String item = newItem(10);

		OrderApi.Response response = this.api.order(item, 3);

		assertThat(response.status()).as("%s", response).isEqualTo(201);
		assertThat(response.contentType()).contains("application/json");
		JsonNode order = response.json();
		long orderId = order.path("order_id").asLong();
		assertThat(orderId).isPositive();
		assertThat(order.path("item_name").asString()).isEqualTo(item);
		assertThat(order.path("quantity").asInt()).isEqualTo(3);
		assertThat(order.path("remaining_stock").asInt()).isEqualTo(7);
		assertThat(order.path("fencing_token").asLong()).isPositive();
		assertThat(response.header("Location")).hasValueSatisfying(
				(location) -> assertThat(location).endsWith("/orders/" + orderId));
		assertThat(stockOf(item)).isEqualTo(7);
		assertThat(orderRowsOf(item)).isOne();
	}

	@Test
	void placedOrderCanBeReadAtItsLocation() {
		String item = newItem(10);
		OrderApi.Response placed = this.api.order(item, 2);
		assertThat(placed.status()).as("%s", placed).isEqualTo(201);
		String location = placed.header("Location").orElseThrow();

		OrderApi.Response response = this.api.get(location.substring(location.indexOf("/orders/")));

		assertThat(response.status()).as("%s", response).isEqualTo(200);
		assertThat(response.contentType()).contains("application/json");
		JsonNode order = response.json();
		assertThat(order.path("id").asLong()).isEqualTo(placed.json().path("order_id").asLong());
		assertThat(order.path("item_name").asString()).isEqualTo(item);
		assertThat(order.path("quantity").asInt()).isEqualTo(2);
		assertThat(order.path("fencing_token").asLong()).isEqualTo(placed.json().path("fencing_token").asLong());
		assertThat(OffsetDateTime.parse(order.path("created_at").asString()))
			.isBefore(OffsetDateTime.now().plusMinutes(1));
	}

	@Test
	void unknownOrderIdIsNotFound() {
		OrderApi.Response response = this.api.get("/orders/987654321");

		assertThat(response.status()).as("%s", response).isEqualTo(404);
	}

	@Test
	void orderOfAnUnknownItemIsNotFoundNamingTheItem() {
		OrderApi.Response response = this.api.order("no-such-item", 1);

		JsonNode problem = response.assertProblem(404, "UNKNOWN_ITEM");
		assertThat(problem.path("item_name").asString()).isEqualTo("no-such-item");
		assertThat(orderRowsOf("no-such-item")).isZero();
	}

	@Test
	void stockOfAnUnknownItemIsNotFoundNamingTheItem() {
		OrderApi.Response response = this.api.get("/inventory/no-such-item");

		JsonNode problem = response.assertProblem(404, "UNKNOWN_ITEM");
		assertThat(problem.path("item_name").asString()).isEqualTo("no-such-item");
	}

	@Test
	void orderLargerThanTheStockIsAConflictWithRequestedAndAvailableAndChangesNothing() {
		String item = newItem(5);

		OrderApi.Response response = this.api.order(item, 6);

		JsonNode problem = response.assertProblem(409, "INSUFFICIENT_STOCK");
		assertThat(problem.path("requested").asInt()).isEqualTo(6);
		assertThat(problem.path("available").asInt()).isEqualTo(5);
		assertThat(stockOf(item)).isEqualTo(5);
		assertThat(orderRowsOf(item)).isZero();
	}

	@Test
	void orderOfTheWholeStockLeavesNoneForTheNext() {
		String item = newItem(5);

		OrderApi.Response all = this.api.order(item, 5);
		OrderApi.Response next = this.api.order(item, 1);

		assertThat(all.status()).as("%s", all).isEqualTo(201);
		assertThat(all.json().path("remaining_stock").asInt()).isZero();
		JsonNode problem = next.assertProblem(409, "INSUFFICIENT_STOCK");
		assertThat(problem.path("requested").asInt()).isEqualTo(1);
		assertThat(problem.path("available").asInt()).isZero();
		assertThat(stockOf(item)).isZero();
	}

	@Test
	void fencingTokenWrittenWithTheStockIsTheOneInTheResponseAndGrowsFromOrderToOrder() {
		String item = newItem(10);
		List<Long> tokens = new ArrayList<>();

		for (int i = 0; i < 3; i++) {
			OrderApi.Response response = this.api.order(item, 1);
			assertThat(response.status()).as("%s", response).isEqualTo(201);
			long token = response.json().path("fencing_token").asLong();
			long orderId = response.json().path("order_id").asLong();
			assertThat(fencingTokenOf(item)).isEqualTo(token);
			assertThat(this.jdbc.sql("SELECT fencing_token FROM tb_order WHERE id = ?")
				.param(orderId)
				.query(Long.class)
				.single()).isEqualTo(token);
			tokens.add(token);
		}

		assertThat(tokens).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void stockWrittenUnderANewerLeaseRefusesTheFencedUpdateWith503StaleLease() {
		String item = newItem(10);
		// As if a lease with the highest possible token had written the row: every real token is older
		this.jdbc.sql("UPDATE tb_inventory SET fencing_token = ? WHERE item_name = ?")
			.params(Long.MAX_VALUE, item)
			.update();

		OrderApi.Response response = this.api.order(item, 1);

		response.assertProblem(503, "STALE_LEASE");
		assertThat(response.header("Retry-After")).contains("1");
		assertThat(stockOf(item)).isEqualTo(10);
		assertThat(fencingTokenOf(item)).isEqualTo(Long.MAX_VALUE);
		assertThat(orderRowsOf(item)).isZero();
	}

}

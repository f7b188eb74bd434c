package dev.lockmanager.sample.orders.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The read side: {@code GET /inventory}, {@code GET /inventory/{item}} and {@code GET /orders} with its paging and
 * totals.
 */
class OrderQueryTests extends WebTestSupport {

	@Test
	void inventoryListsEveryItemByNameWithItsStockAndFencingToken() {
		String ordered = newItem(20);
		String untouched = newItem(30);
		long token = placeOrder(ordered, 4).path("fencing_token").asLong();

		OrderApi.Response response = this.api.get("/inventory");

		assertThat(response.status()).as("%s", response).isEqualTo(200);
		assertThat(response.contentType()).contains("application/json");
		List<JsonNode> stock = List.copyOf(response.json().values());
		List<String> names = stock.stream().map((item) -> item.path("item_name").asString()).toList();
		assertThat(names).contains("item1", "item2", "item3", "item4", ordered, untouched).isSorted();
		assertThat(find(stock, ordered).path("quantity").asInt()).isEqualTo(16);
		assertThat(find(stock, ordered).path("fencing_token").asLong()).isEqualTo(token);
		assertThat(find(stock, untouched).path("quantity").asInt()).isEqualTo(30);
		assertThat(find(stock, untouched).path("fencing_token").asLong()).isZero();
	}

	@Test
	void seededItemsAreInTheInventory() {
		OrderApi.Response response = this.api.get("/inventory/item2");

		assertThat(response.status()).as("%s", response).isEqualTo(200);
		assertThat(response.json().path("item_name").asString()).isEqualTo("item2");
		assertThat(response.json().path("quantity").asInt()).isEqualTo(200);
	}

	@Test
	void stockOfOneItemFollowsItsOrders() {
		String item = newItem(9);
		long token = placeOrder(item, 2).path("fencing_token").asLong();

		OrderApi.Response response = this.api.get("/inventory/" + item);

		assertThat(response.status()).as("%s", response).isEqualTo(200);
		JsonNode stock = response.json();
		assertThat(stock.path("item_name").asString()).isEqualTo(item);
		assertThat(stock.path("quantity").asInt()).isEqualTo(7);
		assertThat(stock.path("fencing_token").asLong()).isEqualTo(token);
	}

	@Test
	void ordersOfAnItemArePagedOldestFirstWithTotalsOverAllPages() {
		String item = newItem(100);
		String other = newItem(100);
		List<Long> ids = List.of(placeOrder(item, 1), placeOrder(item, 2), placeOrder(other, 7), placeOrder(item, 3),
				placeOrder(item, 4), placeOrder(item, 5))
			.stream()
			.filter((order) -> order.path("item_name").asString().equals(item))
			.map((order) -> order.path("order_id").asLong())
			.toList();

		JsonNode first = page("/orders?item=" + item + "&page=0&size=2");
		JsonNode last = page("/orders?item=" + item + "&page=2&size=2");

		assertThat(orderIds(first)).containsExactly(ids.get(0), ids.get(1));
		assertThat(first.path("page").asInt()).isZero();
		assertThat(first.path("size").asInt()).isEqualTo(2);
		assertThat(orderIds(last)).containsExactly(ids.get(4));
		assertThat(last.path("page").asInt()).isEqualTo(2);
		for (JsonNode page : List.of(first, last)) {
			assertThat(page.path("totals").path("orders").asLong()).isEqualTo(5);
			assertThat(page.path("totals").path("quantity").asLong()).isEqualTo(15);
		}
		JsonNode order = first.path("orders").path(1);
		assertThat(order.path("item_name").asString()).isEqualTo(item);
		assertThat(order.path("quantity").asInt()).isEqualTo(2);
		assertThat(order.path("fencing_token").asLong()).isPositive();
		assertThat(order.path("created_at").asString()).isNotBlank();
	}

	@Test
	void pageBeyondTheLastIsEmptyButKeepsTheTotals() {
		String item = newItem(10);
		placeOrder(item, 3);

		JsonNode page = page("/orders?item=" + item + "&page=5&size=10");

		assertThat(page.path("orders").size()).isZero();
		assertThat(page.path("totals").path("orders").asLong()).isOne();
		assertThat(page.path("totals").path("quantity").asLong()).isEqualTo(3);
	}

	@Test
	void ordersOfAnItemWithoutOrdersAreEmptyWithZeroTotals() {
		JsonNode page = page("/orders?item=" + newItem(10));

		assertThat(page.path("orders").size()).isZero();
		assertThat(page.path("page").asInt()).isZero();
		assertThat(page.path("size").asInt()).isEqualTo(100);
		assertThat(page.path("totals").path("orders").asLong()).isZero();
		assertThat(page.path("totals").path("quantity").asLong()).isZero();
	}

	@Test
	void ordersWithoutItemCoverEveryItem() {
		placeOrder(newItem(10), 2);
		placeOrder(newItem(10), 5);

		JsonNode page = page("/orders?size=1000");

		long rows = this.jdbc.sql("SELECT COUNT(*) FROM tb_order").query(Long.class).single();
		long units = this.jdbc.sql("SELECT COALESCE(SUM(quantity), 0) FROM tb_order").query(Long.class).single();
		assertThat(page.path("totals").path("orders").asLong()).isEqualTo(rows).isGreaterThanOrEqualTo(2);
		assertThat(page.path("totals").path("quantity").asLong()).isEqualTo(units);
		assertThat(page.path("orders").size()).isEqualTo((int) rows);
	}

	@Test
	void pageSizeOfZeroIsRejected() {
		this.api.get("/orders?size=0").assertProblem(400, "INVALID_PARAMETER");
	}

	@Test
	void pageSizeAbove1000IsRejected() {
		this.api.get("/orders?size=5000").assertProblem(400, "INVALID_PARAMETER");
	}

	@Test
	void negativePageIsRejected() {
		this.api.get("/orders?page=-1").assertProblem(400, "INVALID_PARAMETER");
	}

	@Test
	void pageSizeOf1000IsAccepted() {
		assertThat(page("/orders?size=1000").path("size").asInt()).isEqualTo(1000);
	}

	private JsonNode placeOrder(String item, int quantity) {
		OrderApi.Response response = this.api.order(item, quantity);
		assertThat(response.status()).as("%s", response).isEqualTo(201);
		return response.json();
	}

	private JsonNode page(String path) {
		OrderApi.Response response = this.api.get(path);
		assertThat(response.status()).as("%s", response).isEqualTo(200);
		assertThat(response.contentType()).contains("application/json");
		return response.json();
	}

	private static List<Long> orderIds(JsonNode page) {
		return page.path("orders").values().stream().map((order) -> order.path("id").asLong()).toList();
	}

	private static JsonNode find(List<JsonNode> stock, String item) {
		return stock.stream()
			.filter((entry) -> entry.path("item_name").asString().equals(item))
			.findFirst()
			.orElseThrow(() -> new AssertionError(item + " is not in " + stock));
	}

}

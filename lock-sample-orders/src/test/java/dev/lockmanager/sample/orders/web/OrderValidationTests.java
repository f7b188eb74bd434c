package dev.lockmanager.sample.orders.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * {@code POST /order} with bad input: 400 problem details whose {@code code} says what is wrong and whose
 * {@code field} names the offending field, when there is one. A rejected request changes nothing.
 */
class OrderValidationTests extends WebTestSupport {

	private static final String JSON = "application/json";

	private String item;

	@BeforeEach
	void createItem() {
		this.item = newItem(10);
	}

	@AfterEach
	void nothingWasOrdered() {
		assertThat(stockOf(this.item)).isEqualTo(10);
		assertThat(orderRowsOf(this.item)).isZero();
	}

	@Test
	void orderWithoutItemNameIsRejectedNamingTheField() {
		OrderApi.Response response = this.api.post("/order", JSON, "{\"quantity\":1}");

		assertInvalidField(response, "item_name");
	}

	@Test
	void orderWithBlankItemNameIsRejectedNamingTheField() {
		OrderApi.Response response = this.api.order("   ", 1);

		assertInvalidField(response, "item_name");
	}

	@Test
	void orderWithItemNameLongerThan100CharactersIsRejectedNamingTheField() {
		OrderApi.Response response = this.api.order("x".repeat(101), 1);

		assertInvalidField(response, "item_name");
	}

	@Test
	void orderWithItemNameOf100CharactersPassesValidation() {
		OrderApi.Response response = this.api.order("x".repeat(100), 1);

		response.assertProblem(404, "UNKNOWN_ITEM");
	}

	@Test
	void orderWithoutQuantityIsRejectedNamingTheField() {
		OrderApi.Response response = this.api.post("/order", JSON, "{\"item_name\":\"" + this.item + "\"}");

		assertInvalidField(response, "quantity");
	}

	@Test
	void orderWithZeroQuantityIsRejectedNamingTheField() {
		OrderApi.Response response = this.api.order(this.item, 0);

		assertInvalidField(response, "quantity");
	}

	@Test
	void orderWithNegativeQuantityIsRejectedNamingTheField() {
		OrderApi.Response response = this.api.order(this.item, -1);

		assertInvalidField(response, "quantity");
	}

	@Test
	void orderOfMoreThan10000IsRejectedNamingTheField() {
		OrderApi.Response response = this.api.order(this.item, 10_001);

		assertInvalidField(response, "quantity");
	}

	@Test
	void orderOf10000PassesValidation() {
		OrderApi.Response response = this.api.order(this.item, 10_000);

		response.assertProblem(409, "INSUFFICIENT_STOCK");
	}

	@Test
	void orderWithBothFieldsInvalidNamesOneAndDescribesBoth() {
		OrderApi.Response response = this.api.post("/order", JSON, "{\"item_name\":\"\",\"quantity\":0}");

		JsonNode problem = response.assertProblem(400, "INVALID_FIELD");
		assertThat(problem.path("field").asString()).isIn("item_name", "quantity");
		assertThat(problem.path("detail").asString()).contains("item_name").contains("quantity");
	}

	@Test
	void quantityAsTextIsRejectedAsMalformedNamingTheField() {
		OrderApi.Response response = this.api.post("/order", JSON,
				"{\"item_name\":\"" + this.item + "\",\"quantity\":\"abc\"}");

		JsonNode problem = response.assertProblem(400, "MALFORMED_BODY");
		assertThat(problem.path("field").asString()).isEqualTo("quantity");
	}

	@Test
	void fractionalQuantityIsRejectedAsMalformedNamingTheField() {
		// Not silently truncated to an order of 1
		OrderApi.Response response = this.api.post("/order", JSON,
				"{\"item_name\":\"" + this.item + "\",\"quantity\":1.5}");

		JsonNode problem = response.assertProblem(400, "MALFORMED_BODY");
		assertThat(problem.path("field").asString()).isEqualTo("quantity");
	}

	@Test
	void malformedJsonIsRejectedAsMalformedBody() {
		OrderApi.Response response = this.api.post("/order", JSON, "{\"item_name\": \"" + this.item + "\",");

		JsonNode problem = response.assertProblem(400, "MALFORMED_BODY");
		assertThat(problem.has("field")).isFalse();
	}

	@Test
	void emptyBodyIsRejectedAsMalformedBody() {
		OrderApi.Response response = this.api.post("/order", JSON, null);

		JsonNode problem = response.assertProblem(400, "MALFORMED_BODY");
		assertThat(problem.has("field")).isFalse();
	}

	@Test
	void jsonArrayBodyIsRejectedAsMalformedBody() {
		OrderApi.Response response = this.api.post("/order", JSON,
				"[{\"item_name\":\"" + this.item + "\",\"quantity\":1}]");

		JsonNode problem = response.assertProblem(400, "MALFORMED_BODY");
		assertThat(problem.has("field")).isFalse();
	}

	@Test
	void plainTextBodyIsRejectedAsUnsupportedContentTypeWith400Not415() {
		OrderApi.Response response = this.api.post("/order", "text/plain",
				"{\"item_name\":\"" + this.item + "\",\"quantity\":1}");

		JsonNode problem = response.assertProblem(400, "UNSUPPORTED_CONTENT_TYPE");
		assertThat(problem.path("detail").asString()).contains("text/plain");
	}

	@Test
	void bodyWithoutContentTypeIsRejectedAsUnsupportedContentType() {
		OrderApi.Response response = this.api.post("/order", null,
				"{\"item_name\":\"" + this.item + "\",\"quantity\":1}");

		response.assertProblem(400, "UNSUPPORTED_CONTENT_TYPE");
	}

	private static void assertInvalidField(OrderApi.Response response, String field) {
		JsonNode problem = response.assertProblem(400, "INVALID_FIELD");
		assertThat(problem.path("field").asString()).isEqualTo(field);
		assertThat(problem.path("detail").asString()).startsWith(field + " ");
	}

}

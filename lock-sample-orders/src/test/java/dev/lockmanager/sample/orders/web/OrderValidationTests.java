package dev.lockmanager.sample.orders.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

	@ParameterizedTest(name = "Accept: {0}")
	@ValueSource(strings = { "text/plain", "application/xml", "text/html" })
	void orderWhoseAnswerTheClientDoesNotAcceptIsRefusedBeforeItIsPlaced(String accept) {
		OrderApi.Response response = this.api.post("/order", JSON, BodyPublishers.ofString(body(1)), accept);

		response.assertProblem(406, "NOT_ACCEPTABLE");
		assertThat(response.header("Location")).isEmpty();
	}

	@Test
	void quantityAsNumericTextIsRejectedNotConverted() {
		OrderApi.Response response = this.api.post("/order", JSON,
				"{\"item_name\":\"" + this.item + "\",\"quantity\":\"1\"}");

		JsonNode problem = response.assertProblem(400, "MALFORMED_BODY");
		assertThat(problem.path("field").asString()).isEqualTo("quantity");
		assertThat(problem.path("detail").asString()).isEqualTo("quantity must be a JSON integer");
	}

	@Test
	void itemNameAsNumberIsRejectedNotConverted() {
		String numericItem = Long.toString(System.nanoTime());
		this.jdbc.sql("INSERT INTO tb_inventory (item_name, quantity) VALUES (?, 10)").param(numericItem).update();

		OrderApi.Response response = this.api.post("/order", JSON, "{\"item_name\":" + numericItem + ",\"quantity\":1}");

		JsonNode problem = response.assertProblem(400, "MALFORMED_BODY");
		assertThat(problem.path("field").asString()).isEqualTo("item_name");
		assertThat(problem.path("detail").asString()).isEqualTo("item_name must be a JSON string");
		assertThat(stockOf(numericItem)).isEqualTo(10);
	}

	@ParameterizedTest(name = "quantity {0}")
	@ValueSource(strings = { "10001", "2147483647", "2147483648", "-2147483649", "123456789012345678901234567890" })
	void quantityOutOfRangeIsAnInvalidFieldWhateverItsSize(String quantity) {
		OrderApi.Response response = this.api.post("/order", JSON,
				"{\"item_name\":\"" + this.item + "\",\"quantity\":" + quantity + "}");

		assertInvalidField(response, "quantity");
		assertThat(response.json().path("detail").asString()).isEqualTo("quantity must be between 1 and 10000");
	}

	@Test
	void unknownPropertyIsRejectedNamingIt() {
		OrderApi.Response response = this.api.post("/order", JSON,
				"{\"item_name\":\"" + this.item + "\",\"quantity\":1,\"coupon\":\"FREE\"}");

		assertInvalidField(response, "coupon");
		assertThat(response.json().path("detail").asString())
			.isEqualTo("coupon is not a property of an order: the body may contain only item_name and quantity");
	}

	@Test
	void repeatedPropertyIsRejectedNamingIt() {
		OrderApi.Response response = this.api.post("/order", JSON,
				"{\"item_name\":\"unknown\",\"item_name\":\"" + this.item + "\",\"quantity\":1}");

		JsonNode problem = response.assertProblem(400, "MALFORMED_BODY");
		assertThat(problem.path("field").asString()).isEqualTo("item_name");
		assertThat(problem.path("detail").asString()).isEqualTo("item_name appears more than once");
	}

	@Test
	void bodyLargerThanTheLimitIsRefusedWith413() {
		String padded = body(1).replace("}", " ".repeat(5 * 1024 * 1024) + "}");

		OrderApi.Response response = this.api.post("/order", JSON, padded);

		JsonNode problem = response.assertProblem(413, "BODY_TOO_LARGE");
		assertThat(problem.path("detail").asString()).isEqualTo("The body must be at most 1024 bytes");
	}

	@Test
	void chunkedBodyLargerThanTheLimitIsRefusedWith413() {
		byte[] padded = body(1).replace("}", " ".repeat(5 * 1024 * 1024) + "}").getBytes(StandardCharsets.UTF_8);

		OrderApi.Response response = this.api.post("/order", JSON,
				BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(padded)), null);

		response.assertProblem(413, "BODY_TOO_LARGE");
	}

	@Test
	void bodyOfExactlyTheLimitIsRead() {
		String body = body(1);
		String padded = body.replace("}", " ".repeat(1024 - body.length()) + "}");

		OrderApi.Response response = this.api.post("/order", JSON, padded.replace("\"quantity\":1", "\"quantity\":0"));

		assertInvalidField(response, "quantity");
	}

	@Test
	void springMvcRefusalsAreProblemsWithTheirStatusAsCode() {
		this.api.get("/order").assertProblem(405, "METHOD_NOT_ALLOWED");
		this.api.get("/no-such-resource").assertProblem(404, "NOT_FOUND");
	}

	private String body(int quantity) {
		return "{\"item_name\":\"" + this.item + "\",\"quantity\":" + quantity + "}";
	}

	private static void assertInvalidField(OrderApi.Response response, String field) {
		JsonNode problem = response.assertProblem(400, "INVALID_FIELD");
		assertThat(problem.path("field").asString()).isEqualTo(field);
		assertThat(problem.path("detail").asString()).startsWith(field + " ");
	}

}

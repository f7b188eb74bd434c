package dev.lockmanager.lock.benchmark.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few calls the benchmark makes outside the load, through the JDK's {@link HttpClient}: the readiness probe, and
 * the stock and order totals of one item, read through the service so that the books are checked against what it
 * stored. The orders themselves go through {@link OrderConnection}.
 */
final class OrderApi {

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

	private static final Pattern TOTALS = Pattern.compile("\"totals\"\\s*:\\s*\\{([^}]*)}");

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String item;

	OrderApi(String item) {
		this.item = item;
	}

	String item() {
		return this.item;
	}

	/**
	 * Reads the item's stock and its order totals through one instance.
	 */
	Books books(URI instance) throws IOException, InterruptedException {
		String stock = get(instance.resolve("/inventory/" + this.item));
		// Page far past the end: no order rows in the body, only the totals over all pages.
		Matcher totals = TOTALS.matcher(get(instance.resolve("/orders?item=" + this.item + "&page=1000000&size=1")));
		if (!totals.find()) {
			throw new IllegalStateException("GET /orders of " + instance + " returned no totals");
		}
		return new Books(number(stock, "quantity"), number(totals.group(1), "orders"),
				number(totals.group(1), "quantity"));
	}

	/**
	 * @return whether the instance's readiness probe answers 200 now
	 */
	boolean ready(URI instance) throws InterruptedException {
		try {
			HttpRequest probe = HttpRequest.newBuilder(instance.resolve("/actuator/health/readiness"))
				.timeout(Duration.ofSeconds(2))
				.build();
			return this.http.send(probe, BodyHandlers.discarding()).statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private String get(URI uri) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http
			.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).build(), BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": "
					+ response.body());
		}
		return response.body();
	}

	/**
	 * Reads one integer field of a flat JSON object: the three numbers the books need do not justify a JSON library
	 * on the benchmark's classpath.
	 */
	private static long number(String json, String field) {
		Matcher matcher = Pattern.compile("\"" + field + "\"\\s*:\\s*(-?\\d+)").matcher(json);
		if (!matcher.find()) {
			throw new IllegalStateException("No \"" + field + "\" in " + json);
		}
		return Long.parseLong(matcher.group(1));
	}

	/**
	 * One item's books as the service stored them.
	 *
	 * @param stock units in stock
	 * @param orders orders placed
	 * @param units units ordered over all orders
	 */
	record Books(long stock, long orders, long units) {
	}

}

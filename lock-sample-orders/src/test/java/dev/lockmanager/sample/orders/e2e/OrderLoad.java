package dev.lockmanager.sample.orders.e2e;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.lockmanager.sample.orders.e2e.OrderServiceClient.Placed;

/**
 * Fires orders for one item from many client threads at once, spread over the instances in turn, and records every
 * answer. The clients start together and each takes the next order as soon as its previous one is answered, so the
 * item sees as many concurrent orders as there are clients for the whole run.
 */
final class OrderLoad {

	/** Larger than any single order's worst case (5 s lock wait), small enough to fail a hung run. */
	private static final Duration MAX_DURATION = Duration.ofMinutes(3);

	private OrderLoad() {
	}

	/**
	 * Mostly single units, with every tenth order for 2 and every tenth for 3, so the books are not just a count.
	 * @param order the order's index, from 0
	 * @return its quantity
	 */
	static int quantity(int order) {
		return switch (order % 10) {
			case 3 -> 2;
			case 7 -> 3;
			default -> 1;
		};
	}

	/**
	 * @param orders how many orders; order {@code i} goes to instance {@code i % instances.size()} and asks for
	 * {@link #quantity(int) quantity(i)}
	 * @param clients how many concurrent client threads
	 * @return the answers, by order index
	 */
	static Result fire(List<URI> instances, String itemName, int orders, int clients) throws Exception {
		OrderServiceClient client = new OrderServiceClient();
		Placed[] answers = new Placed[orders];
		AtomicInteger next = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		long began;
		try {
			List<Future<?>> running = new ArrayList<>();
			for (int i = 0; i < clients; i++) {
				running.add(pool.submit(() -> {
					start.await();
					for (int order = next.getAndIncrement(); order < orders; order = next.getAndIncrement()) {
						int instance = order % instances.size();
						answers[order] = client.place(instance, instances.get(instance), itemName, quantity(order));
					}
					return null;
				}));
			}
			began = System.nanoTime();
			start.countDown();
			long deadline = began + MAX_DURATION.toNanos();
			for (Future<?> future : running) {
				future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("A client thread failed", ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("The load did not finish within " + MAX_DURATION, ex);
		}
		finally {
			pool.shutdownNow();
			pool.awaitTermination(10, TimeUnit.SECONDS);
		}
		return new Result(List.of(answers), Duration.ofNanos(System.nanoTime() - began));
	}

	/**
	 * The answers to one load.
	 *
	 * @param answers the answer to each order, by order index
	 * @param elapsed from the first order sent to the last answer received
	 */
	record Result(List<Placed> answers, Duration elapsed) {

		List<Placed> withStatus(int status) {
			return answers().stream().filter((answer) -> answer.status() == status).toList();
		}

		/**
		 * @return e.g. {@code {201=770, 409=2230}}
		 */
		Map<Integer, Long> statusCounts() {
			return answers().stream()
				.collect(Collectors.groupingBy(Placed::status, TreeMap::new, Collectors.counting()));
		}

		/**
		 * @return e.g. {@code {INSUFFICIENT_STOCK=2230, LOCK_TIMEOUT=3}} (answers without a code are left out)
		 */
		Map<String, Long> codeCounts() {
			return answers().stream()
				.filter((answer) -> answer.code() != null)
				.collect(Collectors.groupingBy(Placed::code, TreeMap::new, Collectors.counting()));
		}

		long createdQuantity() {
			return withStatus(201).stream().mapToLong(Placed::requested).sum();
		}

		String summary() {
			return answers().size() + " orders in " + elapsed().toMillis() + " ms ("
					+ Math.round(answers().size() * 1000.0 / Math.max(1, elapsed().toMillis())) + "/s): statuses "
					+ statusCounts() + ", codes " + codeCounts() + ", units sold " + createdQuantity();
		}

	}

}

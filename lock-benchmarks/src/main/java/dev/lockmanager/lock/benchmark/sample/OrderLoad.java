package dev.lockmanager.lock.benchmark.sample;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Closed-loop load on the sample: a fixed number of platform threads, each placing one order after another as soon
 * as the previous one is answered, thread {@code i} always on instance {@code i mod n}, so that every instance gets
 * the same number of concurrent orders. The threads are owned here: started by {@link #run}, told to stop after the
 * measured window, and joined (each finishes the order it has in flight) before {@link #run} returns, so every
 * accepted order is counted.
 */
final class OrderLoad {

	private static final Pattern PROBLEM_CODE = Pattern.compile("\"code\"\\s*:\\s*\"(\\w+)\"");

	/** Longer than an order may take (the connection's 30 s read timeout), so joining never cuts an order off. */
	private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);

	private static final Duration NO_ANSWER_PAUSE = Duration.ofMillis(100);

	private final String item;

	private final List<URI> instances;

	private final LongAdder[] accepted;

	private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

	private final Map<String, String> firstRefusal = new ConcurrentHashMap<>();

	private volatile boolean running = true;

	private volatile boolean recording;

	private OrderLoad(String item, List<URI> instances) {
		this.item = item;
		this.instances = instances;
		this.accepted = new LongAdder[instances.size()];
		Arrays.setAll(this.accepted, i -> new LongAdder());
	}

	/**
	 * Runs the load for the warm-up, then for the measured window, then stops it.
	 * @param cpu read at the start and the end of the measured window
	 */
	static LoadResult run(String item, List<URI> instances, int threads, Duration warmup, Duration measured,
			Supplier<ProcessCpu.Usage> cpu) throws InterruptedException {
		OrderLoad load = new OrderLoad(item, instances);
		List<Client> clients = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			Client client = load.new Client(i, i % instances.size());
			clients.add(client);
			client.thread.start();
		}
		Window window;
		try {
			Thread.sleep(warmup.toMillis());
			window = load.measure(measured, cpu);
		}
		finally {
			load.running = false;
			for (Client client : clients) {
				client.thread.join(JOIN_TIMEOUT.toMillis());
			}
		}
		return load.result(window, clients);
	}

	/**
	 * Counts the orders accepted during the window, second by second, so that a run still warming up or disturbed
	 * by the machine shows as a wide per-second range.
	 */
	private Window measure(Duration window, Supplier<ProcessCpu.Usage> cpu) throws InterruptedException {
		long[] perInstanceBefore = acceptedPerInstance();
		ProcessCpu.Usage cpuBefore = cpu.get();
		this.recording = true;
		long start = System.nanoTime();
		long previous = sum(perInstanceBefore);
		long[] perSecond = new long[(int) window.toSeconds()];
		for (int s = 0; s < perSecond.length; s++) {
			TimeUnit.NANOSECONDS.sleep(start + (s + 1) * 1_000_000_000L - System.nanoTime());
			long now = sum(acceptedPerInstance());
			perSecond[s] = now - previous;
			previous = now;
		}
		long[] perInstanceAfter = acceptedPerInstance();
		double elapsed = (System.nanoTime() - start) / 1e9;
		this.recording = false;
		ProcessCpu.Usage cpuUsed = cpu.get().minus(cpuBefore);
		double[] rates = new double[perInstanceAfter.length];
		Arrays.setAll(rates, i -> (perInstanceAfter[i] - perInstanceBefore[i]) / elapsed);
		return new Window(elapsed, rates, Arrays.stream(perSecond).min().orElse(0),
				Arrays.stream(perSecond).max().orElse(0), cpuUsed);
	}

	/** Called once every client thread has been joined: their counts and latencies are final. */
	private LoadResult result(Window window, List<Client> clients) {
		long[] latencies = clients.stream()
			.flatMapToLong(client -> Arrays.stream(client.latencies, 0, client.count))
			.sorted()
			.toArray();
		Map<String, Long> refusals = new TreeMap<>();
		this.refused.forEach((label, count) -> refusals.put(label, count.sum()));
		return new LoadResult(window.seconds, window.ordersPerSecond, window.slowestSecond, window.fastestSecond,
				percentileMillis(latencies, 0.50), percentileMillis(latencies, 0.99), window.cpu,
				sum(acceptedPerInstance()), refusals, Map.copyOf(this.firstRefusal));
	}

	private long[] acceptedPerInstance() {
		return Arrays.stream(this.accepted).mapToLong(LongAdder::sum).toArray();
	}

	private static long sum(long[] values) {
		return Arrays.stream(values).sum();
	}

	private static double percentileMillis(long[] sorted, double percentile) {
		return (sorted.length == 0) ? Double.NaN
				: sorted[Math.min(sorted.length - 1, (int) (percentile * sorted.length))] / 1e6;
	}

	/**
	 * A refusal's label: its status and problem code, e.g. {@code 503 LOCK_TIMEOUT}; status 0 when no answer came.
	 */
	private static String label(OrderConnection.Answer answer) {
		Matcher code = PROBLEM_CODE.matcher(answer.body());
		return (answer.status() == 0) ? "no answer" : answer.status() + (code.find() ? " " + code.group(1) : "");
	}

	/** What the measured window saw, before the threads are stopped. */
	private record Window(double seconds, double[] ordersPerSecond, long slowestSecond, long fastestSecond,
			ProcessCpu.Usage cpu) {
	}

	/** One client thread, bound to one instance; its latencies are read only after it has been joined. */
	private final class Client implements Runnable {

		private final Thread thread;

		private final int instance;

		private long[] latencies = new long[4096];

		private int count;

		Client(int number, int instance) {
			this.instance = instance;
			this.thread = new Thread(this, "order-client-" + number + "-instance-" + instance);
			// Never keeps the JVM alive: a thread still stuck after the join timeout is abandoned, not awaited.
			this.thread.setDaemon(true);
		}

		@Override
		public void run() {
			try {
				placeOrders();
			}
			catch (InterruptedException ex) {
				// Nothing here interrupts these threads; whatever does is asking them to stop.
				Thread.currentThread().interrupt();
			}
		}

		private void placeOrders() throws InterruptedException {
			try (OrderConnection connection = new OrderConnection(OrderLoad.this.instances.get(this.instance),
					OrderLoad.this.item)) {
				while (OrderLoad.this.running) {
					long start = System.nanoTime();
					OrderConnection.Answer answer = connection.place();
					long latency = System.nanoTime() - start;
					if (answer.status() == 201) {
						OrderLoad.this.accepted[this.instance].increment();
					}
					else {
						String label = label(answer);
						OrderLoad.this.refused.computeIfAbsent(label, key -> new LongAdder()).increment();
						OrderLoad.this.firstRefusal.putIfAbsent(label, answer.body());
					}
					if (answer.status() == 0) {
						// A refused connection fails at once: do not let a dead instance turn this into a busy loop.
						Thread.sleep(NO_ANSWER_PAUSE.toMillis());
					}
					if (OrderLoad.this.recording) {
						record(latency);
					}
				}
			}
		}

		private void record(long latency) {
			if (this.count == this.latencies.length) {
				this.latencies = Arrays.copyOf(this.latencies, this.count * 2);
			}
			this.latencies[this.count++] = latency;
		}

	}

}

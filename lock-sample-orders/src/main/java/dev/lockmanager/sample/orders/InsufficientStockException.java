package dev.lockmanager.sample.orders;

/**
 * The item's stock is smaller than the ordered quantity; nothing was changed.
 */
public class InsufficientStockException extends RuntimeException {

	private final int requested;

	private final int available;

	public InsufficientStockException(String itemName, int requested, int available) {
		super("Insufficient stock of '" + itemName + "': requested " + requested + ", available " + available);
		this.requested = requested;
		this.available = available;
	}

	public int getRequested() {
		return this.requested;
	}

	public int getAvailable() {
		return this.available;
	}

}

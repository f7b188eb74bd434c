package dev.lockmanager.sample.orders;

/**
 * No item of that name is in the inventory.
 */
public class UnknownItemException extends RuntimeException {

	private final String itemName;

	public UnknownItemException(String itemName) {
		super("No item named '" + itemName + "' in the inventory");
		this.itemName = itemName;
	}

	public String getItemName() {
		return this.itemName;
	}

}

// A benign postinstall hook: it only prints.
console.log('left-pad: thanks for installing');

/* placeholder: replaced by the simulator core work */
int main(void) { return 1; }

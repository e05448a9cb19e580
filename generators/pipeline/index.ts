// `yo chalice-pipeline:pipeline`: add or upgrade the pipeline in the Chalice repository around the current folder.
import { ChaliceGenerator } from '../../lib/run/chalice-generator.js';

export default class PipelineGenerator extends ChaliceGenerator {
  protected readonly kind = 'pipeline';
}

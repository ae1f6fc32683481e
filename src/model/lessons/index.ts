/** Lessons: plain validated data beside the scenarios, texts the model fills, answers the model computes. Re-exports only. */
export * from './types.ts';
export { LESSONS, findLesson } from './library.ts';
export { validateLesson, validateLessons, textProblems, LESSON_ID, MAX_STOPS } from './validate.ts';
export {
  renderText, plainText, wordCount, missingValues, placeholders, templateProblems, unplacedNumbers, unplacedNumbersIn,
  type TextPart, type Placeholder,
} from './text.ts';
export { lessonFrame, stopOptions, pteValue, hasPte, type LessonFrame, type NextStep } from './frame.ts';
export {
  expectedAnswer, checkAnswer, choicesFor, buildersIn, questionPte, SWAP_DEVICE_CHOICE,
  type Answer, type Expected, type ExpectedResult, type Verdict, type Choice,
} from './questions.ts';
